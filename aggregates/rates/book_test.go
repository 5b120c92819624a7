package rates

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
)

func mustDefault(t *testing.T) *Book {
	t.Helper()
	b, err := Default()
	if err != nil {
		t.Fatalf("embedded rates: %v", err)
	}
	return b
}

func table(t *testing.T, year int) *Table {
	t.Helper()
	tab, err := mustDefault(t).Year(year)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestEmbeddedYearsLoadAndValidate(t *testing.T) {
	b := mustDefault(t)
	want := []int{2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026, 2027}
	if got := b.Years(); !slices.Equal(got, want) {
		t.Fatalf("years %v, want %v", got, want)
	}
	for _, y := range want {
		data, err := embedded.ReadFile(fmt.Sprintf("data/%d.json", y))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data); err != nil {
			t.Errorf("data/%d.json: %v", y, err)
		}
	}
}

func TestBUDRatesData(t *testing.T) {
	b := mustDefault(t)
	t.Run("BUD-RATES-DATA/2030 has no rates", func(t *testing.T) {
		_, err := b.Year(2030)
		e := apperr.As(err)
		if e.Code != apperr.RuleViolation || e.Rule != "BUD-RATES-DATA" || !strings.Contains(e.Message, "2014 to 2027") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("BUD-RATES-DATA/each year is its own table", func(t *testing.T) {
		for _, y := range b.Years() {
			if tab, _ := b.Year(y); tab.CallYear != y {
				t.Fatalf("Year(%d) returned %d", y, tab.CallYear)
			}
		}
	})
}

func TestTableRoundTrip(t *testing.T) {
	b := mustDefault(t)
	for _, tab := range b.Tables() {
		data, err := json.Marshal(tab)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(data)
		if err != nil {
			t.Fatalf("%d: %v", tab.CallYear, err)
		}
		back, _ := got.Year(tab.CallYear)
		if !reflect.DeepEqual(back, tab) {
			t.Fatalf("%d does not round-trip", tab.CallYear)
		}
	}
}

func TestOverrideFileRoundTrip(t *testing.T) {
	b := mustDefault(t)
	t2022, _ := b.Year(2022)
	var changed Table
	data, _ := json.Marshal(t2022)
	if err := json.Unmarshal(data, &changed); err != nil {
		t.Fatal(err)
	}
	changed.IndividualSupport.Rates[0].DailyCents = 12000
	changed.Confirmed = true
	file := filepath.Join(t.TempDir(), "rates.json")
	doc, _ := json.MarshalIndent(map[string]any{"tables": []*Table{&changed}}, "", "  ")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	over, err := LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := over.Years(); !slices.Equal(got, []int{2022}) {
		t.Fatalf("override years %v", got)
	}
	merged := b.Override(over)
	m2022, _ := merged.Year(2022)
	if !reflect.DeepEqual(m2022, &changed) {
		t.Fatal("override file does not round-trip")
	}
	if r, _ := m2022.DailyRate(ClassStaff, 1); r.DailyCents != 12000 {
		t.Fatalf("override not in force: %+v", r)
	}
	if orig, _ := b.Year(2022); orig.IndividualSupport.Rates[0].DailyCents == 12000 {
		t.Fatal("Override changed the default book")
	}
	if len(merged.Years()) != len(b.Years()) {
		t.Fatal("Override lost years")
	}
	// A single-table file (the format of the embedded files) loads too.
	single, _ := json.Marshal(&changed)
	os.WriteFile(file, single, 0o600)
	if one, err := LoadFile(file); err != nil || !slices.Equal(one.Years(), []int{2022}) {
		t.Fatalf("single-table file: %v", err)
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(filepath.Join(t.TempDir(), "nope.json"))
	if e := apperr.As(err); e == nil || e.Code != apperr.Invalid || !strings.Contains(e.Message, "nope.json") {
		t.Fatalf("got %v", err)
	}
}

// malformedCases each break the 2021 table one way; the error must name the field.
var malformedCases = []struct {
	name   string
	mutate func(m map[string]any)
	field  string
	msg    string
}{
	{"BUD-RATES-DATA/unknown top-level field refused", func(m map[string]any) { m["colour"] = "blue" }, "colour", "unknown field"},
	{"BUD-RATES-DATA/unknown band field refused", func(m map[string]any) { band(m, 2)["colour"] = "blue" }, "travel.bands[2].colour", "unknown field"},
	{"BUD-RATES-DATA/unknown field in embedded provenance position refused", func(m map[string]any) { obj(m, "travel")["sauce"] = 1 }, "travel.sauce", "unknown field"},
	{"BUD-TRAVEL-BAND/gap between bands refused", func(m map[string]any) { band(m, 2)["min_km"] = 501 }, "travel.bands[2].min_km", "contiguous"},
	{"BUD-TRAVEL-BAND/overlapping bands refused", func(m map[string]any) { band(m, 3)["min_km"] = 1999 }, "travel.bands[3].min_km", "contiguous"},
	{"BUD-TRAVEL-BAND/last band must be open", func(m map[string]any) { band(m, 6)["max_km"] = 20000 }, "travel.bands[6].max_km", "open-ended"},
	{"BUD-TRAVEL-BAND/green below standard refused", func(m map[string]any) { band(m, 1)["green_cents"] = 100 }, "travel.bands[1].green_cents", "standard"},
	{"BUD-TRAVEL-BAND/amount as string refused", func(m map[string]any) { band(m, 1)["standard_cents"] = "180" }, "travel.bands[1].standard_cents", "whole number"},
	{"BUD-TRAVEL-DAYS/green fewer than ordinary refused", func(m map[string]any) { obj(m, "travel")["green_travel_days"] = 1 }, "travel.green_travel_days", "ordinary"},
	{"BUD-INDIVIDUAL/programme country missing from groups", func(m map[string]any) {
		g := m["country_groups"].([]any)[0].(map[string]any)
		g["countries"] = slices.DeleteFunc(g["countries"].([]any), func(c any) bool { return c == "SE" })
	}, "country_groups", "SE"},
	{"BUD-INDIVIDUAL/GR must be written EL", func(m map[string]any) {
		g := m["country_groups"].([]any)[1].(map[string]any)
		g["countries"].([]any)[5] = "GR"
	}, "country_groups[1].countries[5]", "EL"},
	{"BUD-INDIVIDUAL/country in two groups refused", func(m map[string]any) {
		g := m["country_groups"].([]any)[2].(map[string]any)
		g["countries"] = append(g["countries"].([]any), "FI")
	}, "country_groups[2].countries[14]", "already in group 1"},
	{"BUD-INDIVIDUAL/missing group rate refused", func(m map[string]any) {
		is := obj(m, "individual_support")
		rs := is["rates"].([]any)
		is["rates"] = rs[:len(rs)-1]
	}, "individual_support.rates", "no pupil rate for country group 3"},
	{"BUD-INDIVIDUAL/reduced percent 0 refused", func(m map[string]any) { obj(m, "individual_support")["reduced_percent"] = 0 }, "individual_support.reduced_percent", "1 to 100"},
	{"BUD-EXC-TRAVEL/percent over 100 refused", func(m map[string]any) { obj(m, "exceptional_travel")["paid_percent"] = 180 }, "exceptional_travel.paid_percent", "1 to 100"},
	{"BUD-PREP-VISIT/no unit cost while funded refused", func(m map[string]any) { obj(m, "preparatory_visit")["per_person_cents"] = 0 }, "preparatory_visit", "OA-PREP-VISIT"},
	{"KA210-LUMP/descending amounts refused", func(m map[string]any) {
		m["lump_sums"].([]any)[0].(map[string]any)["amounts_cents"] = []any{6000000, 3000000}
	}, "lump_sums[0].amounts_cents[1]", "ascending"},
	{"BUD-RATES-DATA/unknown activity refused", func(m map[string]any) { m["activities"] = []any{"SM-TTA", "XX-1"} }, "activities[1]", "XX-1"},
	{"UA-ORG-SUPPORT/zero amount refused", func(m map[string]any) { obj(m, "ukraine")["organisational_support_cents"] = 0 }, "ukraine.organisational_support_cents", "positive"},
}

func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

func band(m map[string]any, i int) map[string]any {
	return obj(m, "travel")["bands"].([]any)[i].(map[string]any)
}

func TestMalformedOverrideRefused(t *testing.T) {
	base, err := embedded.ReadFile("data/2021.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range malformedCases {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(base, &m); err != nil {
				t.Fatal(err)
			}
			tc.mutate(m)
			data, _ := json.Marshal(m)
			file := filepath.Join(t.TempDir(), "override.json")
			os.WriteFile(file, data, 0o600)
			_, err := LoadFile(file)
			wantDataErr(t, err, tc.field, tc.msg)
			// The same table inside a book names its position.
			book, _ := json.Marshal(map[string]any{"tables": []any{m}})
			_, err = Parse(book)
			wantDataErr(t, err, "tables[0]."+tc.field, tc.msg)
		})
	}
}

func wantDataErr(t *testing.T, err error, field, msg string) {
	t.Helper()
	e := apperr.As(err)
	if err == nil {
		t.Fatalf("accepted; want error on %s", field)
	}
	if e.Code != apperr.Invalid || e.Field != field || !strings.Contains(e.Message, msg) {
		t.Fatalf("got code %s field %q message %q; want field %q containing %q", e.Code, e.Field, e.Message, field, msg)
	}
}

func TestMalformedBooks(t *testing.T) {
	t2021, _ := embedded.ReadFile("data/2021.json")
	cases := []struct {
		name, data, field, msg string
	}{
		{"not JSON", `{"call_year": 2021,`, "", "JSON object: unexpected end"},
		{"not an object", `[1,2]`, "", "JSON object"},
		{"empty book", `{"tables": []}`, "tables", "at least one"},
		{"null table", `{"tables": [null]}`, "tables[0]", "object"},
		{"duplicate call year", `{"tables": [` + string(t2021) + `,` + string(t2021) + `]}`, "tables[1].call_year", "twice"},
		{"unknown book field", `{"tables": [` + string(t2021) + `], "version": 2}`, "version", "unknown field"},
		{"trailing data", string(t2021) + `{}`, "", "after top-level value"},
	}
	for _, tc := range cases {
		t.Run("BUD-RATES-DATA/"+tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data))
			wantDataErr(t, err, tc.field, tc.msg)
		})
	}
}

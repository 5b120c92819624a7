package sqlite

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"unicode"

	"github.com/erasmus-ledger/grants/aggregates"
	"pgregory.net/rapid"
)

// TestFastMobilityDecodeAgreesWithEncodingJSON: for any mobility event the
// domain can write, the fast path reads exactly what encoding/json reads.
func TestFastMobilityDecodeAgreesWithEncodingJSON(t *testing.T) {
	text := rapid.StringOf(rapid.RuneFrom(nil, unicodeRanges...))
	date := rapid.Custom(func(t *rapid.T) aggregates.Date {
		if rapid.Bool().Draw(t, "zero") {
			return aggregates.Date{}
		}
		return aggregates.NewDate(rapid.IntRange(1990, 2040).Draw(t, "y"), 1, 1).AddDays(rapid.IntRange(0, 365).Draw(t, "d"))
	})
	rapid.Check(t, func(t *rapid.T) {
		m := aggregates.Mobility{
			MobilityID: text.Draw(t, "id"), ParticipantID: text.Draw(t, "pid"), Activity: text.Draw(t, "act"),
			Personal:  aggregates.Personal{FirstName: text.Draw(t, "fn"), LastName: text.Draw(t, "ln"), BirthDate: date.Draw(t, "bd"), Email: text.Draw(t, "em")},
			StartDate: date.Draw(t, "sd"), EndDate: date.Draw(t, "ed"), SendingCountry: text.Draw(t, "sc"), ReceivingCountry: text.Draw(t, "rc"),
			ReceivingCity: text.Draw(t, "city"), DistanceKm: rapid.IntRange(0, 20000).Draw(t, "km"), GreenTravel: rapid.Bool().Draw(t, "g"),
			TravelDays: rapid.IntRange(-3, 10).Draw(t, "td"), FewerOpportunities: rapid.Bool().Draw(t, "f"), Accompanying: rapid.Bool().Draw(t, "a"),
			Persons: rapid.IntRange(0, 3).Draw(t, "p"), InclusionCents: rapid.Int64().Draw(t, "inc"),
		}
		if rapid.Bool().Draw(t, "ua") {
			m.Ukraine = &aggregates.UkraineParticipant{Category: text.Draw(t, "cat"), Documents: []string{text.Draw(t, "doc")}}
		}
		if rapid.Bool().Draw(t, "origin") {
			m.Origin = &aggregates.Place{Lat: rapid.Float64().Draw(t, "lat"), Lon: -1.5e-7}
		}
		var lines []aggregates.GrantLine
		for i := rapid.IntRange(0, 5).Draw(t, "n"); i > 0; i-- {
			lines = append(lines, aggregates.GrantLine{Category: text.Draw(t, "c"), Rule: text.Draw(t, "r"), Explanation: text.Draw(t, "x"), AmountCents: rapid.Int64().Draw(t, "amt")})
		}
		grant := aggregates.GrantBreakdown{CallYear: rapid.IntRange(2014, 2030).Draw(t, "cy"), Lines: lines, TotalCents: rapid.Int64().Draw(t, "tot")}
		var payload any = aggregates.MobilityReported{ProjectID: text.Draw(t, "proj"), OID: text.Draw(t, "oid"), Action: text.Draw(t, "action"),
			CallYear: grant.CallYear, Mobility: m, Days: rapid.Int().Draw(t, "days"), DistanceKm: m.DistanceKm, Grant: grant, ReportedOn: date.Draw(t, "ro")}
		if rapid.Bool().Draw(t, "corrected") {
			payload = aggregates.MobilityCorrected{ProjectID: text.Draw(t, "proj"), Mobility: m, Grant: grant, PreviousTotalCents: rapid.Int64().Draw(t, "prev"),
				Reason: text.Draw(t, "why"), CorrectedOn: date.Draw(t, "co")}
		}
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		var fast, slow mobilityEvent
		r := jreader{b: b}
		if err := r.mobilityEvent(&fast); err != nil || r.end() != nil {
			t.Fatalf("the fast path refused what the domain wrote (%v): %s", err, b)
		}
		if err := json.Unmarshal(b, &slow); err != nil {
			t.Fatal(err)
		}
		if read := fast.budgetRead; !budgetReadAlike(&fast) || !read {
			t.Fatalf("the fast path did not read the lines as the budget does: %s", b)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("fast %+v\nslow %+v\njson %s", fast, slow, b)
		}
	})
}

// TestFastMobilityDecodeOnArbitraryInput: on any input, decodeMobilityEvent
// fails exactly when encoding/json fails and otherwise reads the same.
func TestFastMobilityDecodeOnArbitraryInput(t *testing.T) {
	seeds := []string{
		`{"project_id":"P","mobility":{"mobility_id":"M1","personal":{"first_name":"Äi\u00e4\"x"},"green_travel":true},"grant":{"lines":[{"a":1}],"total_cents":5}}`,
		`{"Project_ID":"P"}`, `{"days":1e3}`, `{"days":01}`, `{"mobility":{"persons":null}}`, `null`, `{"grant":{"lines":null}}`,
		`{"mobility":{"mobility_id":"\ud83d\ude00\ud800"}}`, `{"days":-0}`, `{"oid":"a"} x`, `{"oid":"a",}`, `{"mobility":{"ukraine":{"documents":[1,[2,{}]]}}}`,
		// A null after a value leaves the value, as encoding/json does.
		`{"oid":"a","oid":null,"days":3,"days":null,"mobility":{"green_travel":true,"green_travel":null}}`,
		`{"grant":{"lines":[1],"lines":null,"LINES":null},"mobility":{"Ukraine":null}}`, `{"grant":{"lines":null}}`,
		`{"mobility":{"ukraine":{},"ukraine":null}}`, `{"mobility":null,"grant":null,"mobility":{"personal":null}}`,
		// Integers at the edges of the digit loop (eighteen digits) and of int64.
		`{"days":999999999999999999,"distance_km":-999999999999999999}`, `{"days":1000000000000000000}`,
		`{"days":9223372036854775807,"distance_km":-9223372036854775808}`, `{"days":9223372036854775808}`, `{"days":-9223372036854775809}`,
	}
	for _, seed := range seeds {
		var got, want mobilityEvent
		gerr := decodeMobilityEvent([]byte(seed), &got)
		werr := json.Unmarshal([]byte(seed), &want)
		if (gerr == nil) != (werr == nil) || werr == nil && (!budgetReadAlike(&got) || !reflect.DeepEqual(got, want)) {
			t.Fatalf("%s:\nfast %+v (%v)\njson %+v (%v)", seed, got, gerr, want, werr)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		var b []byte
		if rapid.Bool().Draw(t, "seeded") {
			s := []byte(rapid.SampledFrom(seeds).Draw(t, "seed"))
			// Mutate a few bytes.
			for i := rapid.IntRange(0, 3).Draw(t, "mutations"); i > 0 && len(s) > 0; i-- {
				s[rapid.IntRange(0, len(s)-1).Draw(t, "at")] = rapid.SampledFrom([]byte(`{}[]",:01-e.tnu\ a`)).Draw(t, "b")
			}
			b = s
		} else {
			b = []byte(rapid.String().Draw(t, "raw"))
		}
		var got, want mobilityEvent
		gerr := decodeMobilityEvent(b, &got)
		werr := json.Unmarshal(b, &want)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: fast path error %v, encoding/json error %v", b, gerr, werr)
		}
		if werr == nil && !budgetReadAlike(&got) {
			t.Fatalf("%q: the lines read ahead %+v differ from the writer's reading", b, got.budget)
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\nfast %+v\njson %+v", b, got, want)
		}
	})
}

// unicodeRanges draws ASCII, control characters, quotes, backslashes, Latin,
// astral characters and invalid surrogates' neighbours.
var unicodeRanges = []*unicode.RangeTable{unicode.ASCII_Hex_Digit, unicode.Latin, unicode.Cc, unicode.Po, unicode.So}

// budgetReadAlike reports whether the grant lines the fast path read with
// the event (mobilityEvent.budget) are the ones the writer reads from the
// stored lines (decodeBudgetLines), and clears them, which encoding/json
// leaves empty, for the comparison with it.
func budgetReadAlike(e *mobilityEvent) bool {
	ok := true
	if e.budgetRead {
		lines, err := decodeBudgetLines(e.lines(), nil)
		ok = err == nil && slices.Equal(lines, e.budget)
	}
	e.budget, e.budgetRead, e.budgetBuf = nil, false, [8]budgetLine{}
	return ok
}

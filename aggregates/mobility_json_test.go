package aggregates_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/pii"
)

// randomMobility fills every field AppendJSON writes, with empty, plain
// and special values; with places set only when places is true.
func randomMobility(r *rand.Rand, places bool) aggregates.Mobility {
	str := func() string {
		switch r.IntN(8) {
		case 0:
			return ""
		case 1:
			return "a<b>&c" // escaped by encoding/json
		case 2:
			return []string{`quo"te`, `back\slash`, "Jyväskylä", "tab\there", "\u2028"}[r.IntN(5)]
		default:
			return []string{"M-000123", "PT-00000123", "SCH-COURSE", "Helsingin koulu", "FI", "E10000001/PT-1", "500-1999 km band: 309 EUR"}[r.IntN(7)]
		}
	}
	num := func() int64 { return []int64{0, 1, -3, 117, 1 << 40}[r.IntN(5)] }
	date := func() aggregates.Date {
		if r.IntN(6) == 0 {
			return aggregates.Date{}
		}
		return aggregates.NewDate(2020+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28))
	}
	bytes := func() []byte {
		switch r.IntN(3) {
		case 0:
			return nil
		case 1:
			return []byte{}
		}
		b := make([]byte, r.IntN(40)+1)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	m := aggregates.Mobility{
		MobilityID: str(), ParticipantID: str(), Activity: str(), StartDate: date(), EndDate: date(),
		SendingOrganisation: str(), ReceivingOrganisation: str(), SendingOID: str(), SendingCountry: str(),
		ReceivingCountry: str(), ReceivingCity: str(), DistanceKm: int(num()), GreenTravel: r.IntN(2) == 0,
		TravelDays: int(num()), FewerOpportunities: r.IntN(2) == 0, InclusionCents: num(), Accompanying: r.IntN(2) == 0,
		GroupID: str(), Persons: int(num()), CourseFeeDays: int(num()), LinguisticSupport: r.IntN(2) == 0, RealTravelCostCents: num(),
	}
	if r.IntN(2) == 0 {
		m.Personal = aggregates.Personal{FirstName: str(), LastName: str(), BirthDate: date(), Email: str(), Gender: str(), Nationality: str()}
	}
	if r.IntN(2) == 0 {
		m.PersonalSealed = &pii.Sealed{Alg: str(), Subject: str(), KeyID: str(), KeySeq: uint64(num() & 0xffffff), Nonce: bytes(), Ciphertext: bytes(), Plain: bytes()}
	}
	if places {
		m.Origin = &aggregates.Place{Lat: 60.17, Lon: 24.94}
		m.Ukraine = &aggregates.UkraineParticipant{Category: "pupil"}
	}
	return m
}

func randomReported(r *rand.Rand, places bool) aggregates.MobilityReported {
	e := aggregates.MobilityReported{ProjectID: "P-1", OID: "E1", Action: "KA122-SCH", CallYear: 2026, Days: r.IntN(30) - 1, DistanceKm: r.IntN(9000),
		Mobility: randomMobility(r, places), Grant: aggregates.GrantBreakdown{CallYear: r.IntN(3000), TotalCents: int64(r.IntN(1 << 30))}}
	switch n := r.IntN(4); n {
	case 0: // nil lines
	default:
		e.Grant.Lines = []aggregates.GrantLine{}
		for range n - 1 {
			e.Grant.Lines = append(e.Grant.Lines, aggregates.GrantLine{Category: "travel", Rule: "BUD-TRAVEL", Explanation: randomMobility(r, false).ReceivingCity, AmountCents: int64(r.IntN(1e6))})
		}
	}
	if r.IntN(5) > 0 {
		e.ReportedOn = aggregates.NewDate(2026, time.March, 1+r.IntN(28))
	}
	return e
}

// TestMobilityJSONIsJSONMarshal: a report's event and command write by
// hand exactly json.Marshal's bytes, or leave the value to json.Marshal
// (a place, the Ukraine exception, a string that is not plain ASCII), on
// random values; and every plain value is written by hand.
func TestMobilityJSONIsJSONMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(16, 17))
	written := 0
	for i := range 4000 {
		e := randomReported(r, i%10 == 0)
		c := aggregates.ReportMobility{ProjectID: e.ProjectID, Mobility: e.Mobility}
		for _, v := range []interface {
			AppendJSON([]byte) ([]byte, bool)
		}{e, c} {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := v.AppendJSON([]byte("prefix"))
			if !ok {
				if string(got) != "prefix" {
					t.Fatalf("a value left to json.Marshal changed the buffer: %s", got)
				}
				plain := !strings.ContainsFunc(string(want), func(c rune) bool { return c == '\\' || c > 0x7e })
				if plain && !strings.Contains(string(want), `"origin"`) && !strings.Contains(string(want), `"ukraine"`) {
					t.Fatalf("a plain value was left to json.Marshal: %s", want)
				}
				continue
			}
			written++
			if string(got) != "prefix"+string(want) {
				t.Fatalf("AppendJSON wrote\n%s\njson.Marshal writes\n%s", got[len("prefix"):], want)
			}
		}
	}
	if written < 1000 {
		t.Fatalf("only %d of 8000 values were written by hand", written)
	}
}

// TestMobilityJSONKnowsEveryField fails when a field is added to a type
// AppendJSON writes: add it there (and to randomMobility) too.
func TestMobilityJSONKnowsEveryField(t *testing.T) {
	names := func(v any) []string {
		var out []string
		tp := reflect.TypeOf(v)
		for i := range tp.NumField() {
			f := tp.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" {
				name = "(" + f.Name + ")"
			}
			out = append(out, name)
		}
		return out
	}
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{aggregates.MobilityReported{}, []string{"project_id", "oid", "action", "call_year", "mobility", "days", "distance_km", "grant", "reported_on"}},
		{aggregates.ReportMobility{}, []string{"project_id", "(Mobility)"}},
		{aggregates.Mobility{}, []string{"mobility_id", "participant_id", "personal", "personal_sealed", "activity", "start_date", "end_date",
			"sending_organisation", "receiving_organisation", "sending_oid", "sending_country", "receiving_country", "receiving_city", "distance_km",
			"origin", "destination", "green_travel", "travel_days", "fewer_opportunities", "inclusion_cents", "accompanying", "group_id", "persons",
			"course_fee_days", "linguistic_support", "real_travel_cost_cents", "ukraine"}},
		{aggregates.Personal{}, []string{"first_name", "last_name", "birth_date", "email", "gender", "nationality"}},
		{pii.Sealed{}, []string{"alg", "subject", "key_id", "key_seq", "nonce", "ciphertext", "plain"}},
		{aggregates.GrantBreakdown{}, []string{"call_year", "lines", "total_cents"}},
		{aggregates.GrantLine{}, []string{"category", "rule", "explanation", "amount_cents"}},
	} {
		if got := names(tc.v); !slices.Equal(got, tc.want) {
			t.Errorf("%T has the JSON fields %v; AppendJSON writes %v: update aggregates/mobility_json.go", tc.v, got, tc.want)
		}
	}
}

// BenchmarkReportedJSON: a report's event payload by json.Marshal and by
// its AppendJSON.
func BenchmarkReportedJSON(b *testing.B) {
	e := benchReported()
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := e.AppendJSON(make([]byte, 0, 2048)); !ok {
				b.Fatal("not written")
			}
		}
	})
}

// benchReported is a typical report's event: a sealed participant, two
// grant lines.
func benchReported() aggregates.MobilityReported {
	d := aggregates.NewDate(2026, time.March, 1)
	return aggregates.MobilityReported{ProjectID: "P-2026-0001", OID: "E10000001", Action: "KA122-SCH", CallYear: 2026, Days: 7, DistanceKm: 1200,
		Mobility: aggregates.Mobility{MobilityID: "M-000123", ParticipantID: "PT-00000123",
			PersonalSealed: &pii.Sealed{Alg: "A256GCM", Subject: "E10000001/PT-00000123", KeyID: "0123456789abcdef0123456789abcdef", KeySeq: 123456, Nonce: make([]byte, 12), Ciphertext: make([]byte, 120)},
			Activity:       "SCH-COURSE", StartDate: d, EndDate: d, SendingOrganisation: "Helsingin koulu", ReceivingOrganisation: "Scuola di Roma",
			SendingCountry: "FI", ReceivingCountry: "IT", ReceivingCity: "Roma", DistanceKm: 1200},
		Grant: aggregates.GrantBreakdown{CallYear: 2026, TotalCents: 123400, Lines: []aggregates.GrantLine{
			{Category: "travel", Rule: "BUD-TRAVEL", Explanation: "500-1999 km band: 309 EUR", AmountCents: 30900},
			{Category: "individual", Rule: "BUD-INDIVIDUAL", Explanation: "7 days at 117 EUR a day", AmountCents: 81900}}},
		ReportedOn: d}
}

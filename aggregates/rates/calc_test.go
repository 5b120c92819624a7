package rates

import (
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func date(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// mob returns a mobility of activity lasting days from 2022-03-01.
func mob(activity string, days int, country string, km int) MobilityInput {
	start := date("2022-03-01")
	return MobilityInput{Activity: activity, Start: start, End: start.AddDate(0, 0, days-1), DestinationCountry: country, DistanceKm: km}
}

func with(in MobilityInput, f func(*MobilityInput)) MobilityInput { f(&in); return in }

// calcCases prove the calculator rule by rule. want maps a line's rule (or
// category, for several lines of one rule) to its amount; exact lists the
// rules expected and no other.
var calcCases = []struct {
	name   string
	year   int
	in     MobilityInput
	want   map[string]int64 // category -> cents
	expl   []string         // substrings of the explanations
	rule   string           // expected rule violation
	field  string           // expected field at fault
	absent []string         // categories that must not appear
}{
	// BUD-TRAVEL-BAND
	{name: "BUD-TRAVEL-BAND/9 km gets no travel grant", year: 2021, in: mob("SM-TTA", 5, "FI", 9),
		want: map[string]int64{CategoryTravel: 0}, expl: []string{"9 km is under 10 km"}},
	{name: "BUD-TRAVEL-BAND/10 km is 10-99 band", year: 2021, in: mob("SM-TTA", 5, "FI", 10),
		want: map[string]int64{CategoryTravel: 2300}, expl: []string{"travel: 10-99 km band: 23 EUR"}},
	{name: "BUD-TRAVEL-BAND/499 km is 100-499 band", year: 2021, in: mob("SM-TTA", 5, "EE", 499),
		want: map[string]int64{CategoryTravel: 18000}, expl: []string{"100-499 km band: 180 EUR"}},
	{name: "BUD-TRAVEL-BAND/500 km is 500-1999 band", year: 2021, in: mob("SM-TTA", 5, "DE", 500),
		want: map[string]int64{CategoryTravel: 27500}, expl: []string{"500-1999 km band: 275 EUR"}},
	{name: "BUD-TRAVEL-BAND/500 km green is 320 EUR", year: 2021, in: with(mob("SM-TTA", 5, "DE", 500), func(m *MobilityInput) { m.Green = true }),
		want: map[string]int64{CategoryTravel: 32000}, expl: []string{"travel: 500-1999 km band, green travel: 320 EUR"}},
	{name: "BUD-TRAVEL-BAND/4000 km green has no green rate", year: 2021, in: with(mob("SM-TTA", 5, "PT", 4000), func(m *MobilityInput) { m.Green = true }),
		want: map[string]int64{CategoryTravel: 82000}, expl: []string{"no green rate"}},
	{name: "BUD-TRAVEL-BAND/7999 km is 4000-7999 band", year: 2021, in: mob("SM-TTA", 5, "TR", 7999),
		want: map[string]int64{CategoryTravel: 82000}},
	{name: "BUD-TRAVEL-BAND/8000 km is the top band", year: 2021, in: mob("SM-TTA", 5, "TR", 8000),
		want: map[string]int64{CategoryTravel: 150000}, expl: []string{"8000 km and more band: 1500 EUR"}},
	{name: "BUD-TRAVEL-BAND/2024 rates 100-499 green 285 EUR", year: 2024, in: with(mob("SM-TTA", 5, "EE", 120), func(m *MobilityInput) { m.Green = true }),
		want: map[string]int64{CategoryTravel: 28500}},
	{name: "BUD-TRAVEL-BAND/2018 legacy 500 km", year: 2018, in: mob("C3", 5, "DE", 500),
		want: map[string]int64{CategoryTravel: 27500}},
	// BUD-TRAVEL-DAYS
	{name: "BUD-TRAVEL-DAYS/2 ordinary travel days funded", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.TravelDays = 2 }),
		want: map[string]int64{CategoryIndividual: 7 * 10400}, expl: []string{"5 activity days + 2 travel days"}},
	{name: "BUD-TRAVEL-DAYS/3 ordinary travel days refused", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.TravelDays = 3 }),
		rule: "BUD-TRAVEL-DAYS", field: "travel_days"},
	{name: "BUD-TRAVEL-DAYS/2021 green 4 travel days funded", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.Green, m.TravelDays = true, 4 }),
		want: map[string]int64{CategoryIndividual: 9 * 10400}},
	{name: "BUD-TRAVEL-DAYS/2021 green 5 travel days refused", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.Green, m.TravelDays = true, 5 }),
		rule: "BUD-TRAVEL-DAYS", field: "travel_days"},
	{name: "BUD-TRAVEL-DAYS/2022 green 6 travel days funded", year: 2022, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.Green, m.TravelDays = true, 6 }),
		want: map[string]int64{CategoryIndividual: 11 * 10400}},
	// BUD-INDIVIDUAL
	{name: "BUD-INDIVIDUAL/day 14 at the full rate", year: 2021, in: mob("SM-TTA", 14, "FI", 300),
		want: map[string]int64{CategoryIndividual: 14 * 11700}},
	{name: "BUD-INDIVIDUAL/day 15 at 70 %", year: 2021, in: mob("SM-TTA", 15, "FI", 300),
		want: map[string]int64{CategoryIndividual: 14*11700 + 8190}, expl: []string{"14 days x 117 EUR + 1 day x 81.90 EUR (70 % from day 15)"}},
	{name: "BUD-INDIVIDUAL/travel days count toward day 15", year: 2021, in: with(mob("SM-TTA", 18, "FI", 300), func(m *MobilityInput) { m.TravelDays = 2 }),
		want: map[string]int64{CategoryIndividual: 14*11700 + 6*8190},
		expl: []string{"individual support: 14 days x 117 EUR + 6 days x 81.90 EUR (70 % from day 15), staff rate, country group 1 (FI)"}},
	{name: "BUD-INDIVIDUAL/group 2 staff", year: 2021, in: mob("SM-JOB-SHDW", 5, "gr", 2500),
		want: map[string]int64{CategoryIndividual: 5 * 10400}, expl: []string{"country group 2 (EL)"}},
	{name: "BUD-INDIVIDUAL/group 3 VET learner", year: 2021, in: mob("LM-SHORT-VET", 20, "PL", 1000),
		want: map[string]int64{CategoryIndividual: 14*6300 + 6*4410}, expl: []string{"learner rate"}},
	{name: "BUD-INDIVIDUAL/pupil rate", year: 2023, in: mob("LM-GRP-PUPIL", 5, "SE", 400),
		want: map[string]int64{CategoryIndividual: 5 * 8100}, expl: []string{"pupil rate"}},
	{name: "BUD-INDIVIDUAL/partner country gets the partner group", year: 2022, in: mob("SM-TTA", 5, "UA", 1000),
		want: map[string]int64{CategoryIndividual: 5 * 9100}, expl: []string{"partner country"}},
	{name: "BUD-INDIVIDUAL/UK is a group 1 partner country in 2021", year: 2021, in: mob("SM-TTA", 5, "GB", 1800),
		want: map[string]int64{CategoryIndividual: 5 * 11700}, expl: []string{"country group 1 (UK, partner country)"}},
	{name: "BUD-INDIVIDUAL/2018 legacy explicit reduced rate", year: 2018, in: mob("C3", 20, "DE", 1500),
		want: map[string]int64{CategoryIndividual: 14*10600 + 6*7400}, expl: []string{"6 days x 74 EUR (reduced rate from day 15)"}},
	{name: "BUD-INDIVIDUAL/accompanying person at staff rate", year: 2021, in: with(mob("LM-SHORT-VET", 5, "DE", 1500), func(m *MobilityInput) { m.Accompanying = true }),
		want: map[string]int64{CategoryIndividual: 5 * 10400}, absent: []string{CategoryOrganisational}},
	// BUD-EXC-TRAVEL
	{name: "BUD-EXC-TRAVEL/69 % covered pays 80 %", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.RealTravelCostCents = 39855 }),
		want: map[string]int64{CategoryTravel: 0, CategoryExceptional: 31884}, expl: []string{"covers 69 %", "replaced by exceptional costs"}},
	{name: "BUD-EXC-TRAVEL/just under 70 % covered pays 80 %", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.RealTravelCostCents = 39286 }),
		want: map[string]int64{CategoryTravel: 0, CategoryExceptional: 31429}},
	{name: "BUD-EXC-TRAVEL/70 % covered keeps the standard grant", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.RealTravelCostCents = 39285 }),
		want: map[string]int64{CategoryTravel: 27500}, absent: []string{CategoryExceptional}, expl: []string{"so no exceptional costs"}},
	{name: "BUD-EXC-TRAVEL/green amount is the standard grant compared", year: 2021, in: with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.Green, m.RealTravelCostCents = true, 45000 }),
		want: map[string]int64{CategoryTravel: 32000}, absent: []string{CategoryExceptional}},
	{name: "BUD-EXC-TRAVEL/under 10 km refused", year: 2021, in: with(mob("SM-TTA", 5, "FI", 5), func(m *MobilityInput) { m.RealTravelCostCents = 5000 }),
		rule: "BUD-EXC-TRAVEL", field: "real_travel_cost_cents"},
	// BUD-PREP-VISIT
	{name: "BUD-PREP-VISIT/3 persons funded", year: 2021, in: with(mob("OA-PREP-VISIT", 2, "DE", 1500), func(m *MobilityInput) { m.Persons = 3 }),
		want: map[string]int64{CategoryPrepVisit: 3 * 57500}, absent: []string{CategoryTravel, CategoryIndividual, CategoryOrganisational},
		expl: []string{"3 persons x 575 EUR"}},
	{name: "BUD-PREP-VISIT/4 persons refused", year: 2021, in: with(mob("OA-PREP-VISIT", 2, "DE", 1500), func(m *MobilityInput) { m.Persons = 4 }),
		rule: "BUD-PREP-VISIT", field: "persons"},
	{name: "BUD-PREP-VISIT/0 persons means 1", year: 2024, in: mob("OA-PREP-VISIT", 2, "DE", 1500),
		want: map[string]int64{CategoryPrepVisit: 68000}},
	{name: "BUD-PREP-VISIT/travel days refused", year: 2021, in: with(mob("OA-PREP-VISIT", 2, "DE", 1500), func(m *MobilityInput) { m.TravelDays = 1 }),
		field: "travel_days"},
	// ACT-COURSE
	{name: "ACT-COURSE/10 course-fee days paid", year: 2021, in: with(mob("SM-COUR-TRAIN", 12, "IT", 2100), func(m *MobilityInput) { m.CourseFeeDays = 10 }),
		want: map[string]int64{CategoryCourseFees: 80000}, expl: []string{"course fees: 10 days x 80 EUR (at most 10 days)"}},
	{name: "ACT-COURSE/11 course-fee days refused", year: 2021, in: with(mob("SM-COUR-TRAIN", 12, "IT", 2100), func(m *MobilityInput) { m.CourseFeeDays = 11 }),
		rule: "ACT-COURSE", field: "course_fee_days"},
	{name: "ACT-COURSE/no course fees for teaching", year: 2021, in: with(mob("SM-TTA", 12, "IT", 2100), func(m *MobilityInput) { m.CourseFeeDays = 2 }),
		rule: "ACT-COURSE", field: "course_fee_days"},
	{name: "ACT-COURSE/more fee days than course days refused", year: 2021, in: with(mob("SM-COUR-TRAIN", 3, "IT", 2100), func(m *MobilityInput) { m.CourseFeeDays = 5 }),
		field: "course_fee_days"},
	{name: "ACT-COURSE/4 days after 6 of the same participant paid", year: 2021, in: with(mob("SM-COUR-TRAIN", 12, "IT", 2100), func(m *MobilityInput) { m.CourseFeeDays, m.PriorCourseFeeDays = 4, 6 }),
		want: map[string]int64{CategoryCourseFees: 4 * 8000}},
	{name: "ACT-COURSE/5 days after 6 of the same participant refused", year: 2021, in: with(mob("SM-COUR-TRAIN", 12, "IT", 2100), func(m *MobilityInput) { m.CourseFeeDays, m.PriorCourseFeeDays = 5, 6 }),
		rule: "ACT-COURSE", field: "course_fee_days"},
	{name: "ACT-COURSE/31-day course refused", year: 2021, in: mob("SM-COUR-TRAIN", 31, "IT", 2100), rule: "ACT-COURSE"},
	// Organisational and inclusion support
	{name: "BUD-RATES-DATA/organisational support per participant", year: 2021, in: mob("LM-LONG-VET", 90, "ES", 3000),
		want: map[string]int64{CategoryOrganisational: 35000}},
	{name: "BUD-ORG-SUPPORT/100th participant at the full rate", year: 2021, in: with(mob("LM-LONG-VET", 90, "ES", 3000), func(m *MobilityInput) { m.PriorParticipants = 99 }),
		want: map[string]int64{CategoryOrganisational: 35000}, expl: []string{"participant 100 of the project"}},
	{name: "BUD-ORG-SUPPORT/101st participant at the lower rate", year: 2021, in: with(mob("LM-LONG-VET", 90, "ES", 3000), func(m *MobilityInput) { m.PriorParticipants = 100 }),
		want: map[string]int64{CategoryOrganisational: 20000}, expl: []string{"participant 101 of the project", "beyond the 100th participant"}},
	{name: "BUD-LINGUISTIC/31-day mobility paid the unit cost", year: 2021, in: with(mob("LM-LONG-PUPILS", 31, "ES", 3000), func(m *MobilityInput) { m.LinguisticSupport = true }),
		want: map[string]int64{CategoryLinguistic: 15000}, expl: []string{"Online Language Support"}},
	{name: "BUD-LINGUISTIC/30-day mobility refused", year: 2021, in: with(mob("LM-LONG-PUPILS", 30, "ES", 3000), func(m *MobilityInput) { m.LinguisticSupport = true }),
		rule: "BUD-LINGUISTIC", field: "linguistic_support"},
	{name: "BUD-LINGUISTIC/not claimed, not paid", year: 2021, in: mob("LM-LONG-PUPILS", 31, "ES", 3000), absent: []string{CategoryLinguistic}},
	{name: "BUD-LINGUISTIC/under the Ukraine exception refused", year: 2022, in: with(mob("LM-LONG-PUPILS", 31, "FI", 3000), func(m *MobilityInput) { m.LinguisticSupport, m.Ukraine = true, true }),
		rule: "BUD-LINGUISTIC", field: "linguistic_support"},
	{name: "BUD-LINGUISTIC/accompanying person refused", year: 2021, in: with(mob("LM-GRP-PUPIL", 30, "ES", 3000), func(m *MobilityInput) { m.LinguisticSupport, m.Accompanying = true, true }),
		field: "linguistic_support"},
	{name: "BUD-ORG-SUPPORT/negative count of participants refused", year: 2021, in: with(mob("LM-LONG-VET", 90, "ES", 3000), func(m *MobilityInput) { m.PriorParticipants = -1 }),
		field: "prior_participants"},
	{name: "BUD-RATES-DATA/inclusion support for fewer opportunities", year: 2021, in: with(mob("LM-SHORT-VET", 20, "ES", 3000), func(m *MobilityInput) { m.FewerOpportunities, m.InclusionCents = true, 25000 }),
		want: map[string]int64{CategoryInclusion: 10000 + 25000}},
	{name: "BUD-RATES-DATA/inclusion costs without fewer opportunities refused", year: 2021, in: with(mob("LM-SHORT-VET", 20, "ES", 3000), func(m *MobilityInput) { m.InclusionCents = 25000 }),
		field: "inclusion_cents"},
	{name: "BUD-RATES-DATA/KA202 activity not funded in 2021", year: 2021, in: mob("C3", 5, "DE", 1500), rule: "BUD-RATES-DATA", field: "activity"},
	{name: "BUD-RATES-DATA/KA1 activity not funded by the 2018 KA202 rates", year: 2018, in: mob("SM-TTA", 5, "DE", 1500), rule: "BUD-RATES-DATA", field: "activity"},
	// Ukraine exception
	{name: "UA-ORG-SUPPORT/500 EUR per participant", year: 2022, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) { m.Ukraine = true }),
		want: map[string]int64{CategoryOrganisational: 50000}, expl: []string{"Ukraine exception: 500 EUR"}},
	{name: "UA-INDIVIDUAL/group 1 rate in Finland", year: 2022, in: with(mob("LM-SHORT-PUPIL", 20, "FI", 1000), func(m *MobilityInput) { m.Ukraine = true }),
		want: map[string]int64{CategoryIndividual: 14*8100 + 6*5670}, expl: []string{"Ukraine exception: country group 1 rate"}},
	{name: "UA-INDIVIDUAL/group 1 rate whatever the venue", year: 2023, in: with(mob("SM-JOB-SHDW", 10, "PL", 1000), func(m *MobilityInput) { m.Ukraine = true }),
		want: map[string]int64{CategoryIndividual: 10 * 11700}},
	{name: "UA-LINGUISTIC/receipts under the cap paid in full", year: 2022, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) { m.Ukraine, m.UkraineLinguisticCents = true, 12050 }),
		want: map[string]int64{CategoryLinguistic: 12050}},
	{name: "UA-LINGUISTIC/receipts over 300 EUR capped", year: 2022, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) { m.Ukraine, m.UkraineLinguisticCents = true, 35000 }),
		want: map[string]int64{CategoryLinguistic: 30000}, expl: []string{"at most 300 EUR per person, so 300 EUR is paid"}},
	{name: "UA-LINGUISTIC/200 EUR after 200 EUR paid to the same person: 100 EUR", year: 2022, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) {
		m.Ukraine, m.UkraineLinguisticCents, m.PriorUkraineLinguisticCents = true, 20000, 20000
	}), want: map[string]int64{CategoryLinguistic: 10000}, expl: []string{"200 EUR already paid", "so 100 EUR is paid"}},
	{name: "UA-LINGUISTIC/150 EUR after 150 EUR paid: 300 EUR in full", year: 2022, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) {
		m.Ukraine, m.UkraineLinguisticCents, m.PriorUkraineLinguisticCents = true, 15000, 15000
	}), want: map[string]int64{CategoryLinguistic: 15000}},
	{name: "UA-LINGUISTIC/151 EUR after 150 EUR paid: 150 EUR", year: 2022, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) {
		m.Ukraine, m.UkraineLinguisticCents, m.PriorUkraineLinguisticCents = true, 15100, 15000
	}), want: map[string]int64{CategoryLinguistic: 15000}},
	{name: "UA-LINGUISTIC/receipts outside the exception refused", year: 2022, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) { m.UkraineLinguisticCents = 100 }),
		field: "ukraine_linguistic_cents"},
	{name: "UA-INCLUSION/eligible without the fewer-opportunities flag", year: 2022, in: with(mob("LM-LONG-PUPILS", 60, "FI", 1000), func(m *MobilityInput) { m.Ukraine, m.InclusionCents = true, 40000 }),
		want: map[string]int64{CategoryInclusion: 10000 + 40000}},
	{name: "UA-INCLUSION/not paid unless applied for", year: 2022, in: with(mob("LM-LONG-PUPILS", 60, "FI", 1000), func(m *MobilityInput) { m.Ukraine = true }),
		absent: []string{CategoryInclusion}},
	{name: "UA-SCOPE/no Ukraine exception in 2024 rates", year: 2024, in: with(mob("SM-TTA", 30, "FI", 1000), func(m *MobilityInput) { m.Ukraine = true }),
		rule: "UA-SCOPE", field: "ukraine"},
	// Input validation
	{name: "input/unknown activity", year: 2021, in: mob("SM-NOPE", 5, "FI", 100), field: "activity"},
	{name: "input/unknown country", year: 2021, in: mob("SM-TTA", 5, "ZZ", 100), field: "destination_country"},
	{name: "input/missing country", year: 2021, in: mob("SM-TTA", 5, "", 100), field: "destination_country"},
	{name: "input/end before start", year: 2021, in: mob("SM-TTA", 0, "FI", 100), field: "end"},
	{name: "input/missing start", year: 2021, in: with(mob("SM-TTA", 5, "FI", 100), func(m *MobilityInput) { m.Start = time.Time{} }), field: "start"},
	{name: "input/negative distance", year: 2021, in: mob("SM-TTA", 5, "FI", -1), field: "distance_km"},
	{name: "input/two persons on a mobility", year: 2021, in: with(mob("SM-TTA", 5, "FI", 100), func(m *MobilityInput) { m.Persons = 2 }), field: "persons"},
	{name: "ACT-VET-SHORT/9 days refused by the calculator", year: 2021, in: mob("LM-SHORT-VET", 9, "DE", 1500), rule: "ACT-VET-SHORT"},
	{name: "ACT-VET-SHORT/accompanying person may stay 5 days", year: 2021, in: with(mob("LM-SHORT-VET", 5, "DE", 1500), func(m *MobilityInput) { m.Accompanying = true }),
		want: map[string]int64{CategoryTravel: 27500}},
}

func TestCalculate(t *testing.T) {
	b := mustDefault(t)
	for _, tc := range calcCases {
		t.Run(tc.name, func(t *testing.T) {
			tab, err := b.Year(tc.year)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tab.Calculate(tc.in)
			if tc.rule != "" || tc.field != "" {
				e := apperr.As(err)
				if err == nil {
					t.Fatalf("accepted: %+v", got)
				}
				if tc.rule != "" && (e.Code != apperr.RuleViolation || e.Rule != tc.rule) {
					t.Fatalf("want rule %s, got %v", tc.rule, err)
				}
				if tc.rule == "" && e.Code != apperr.Invalid {
					t.Fatalf("want invalid input, got %v", err)
				}
				if tc.field != "" && e.Field != tc.field {
					t.Fatalf("want field %s, got %v", tc.field, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkBreakdown(t, got)
			sums := map[string]int64{}
			seen := map[string]bool{}
			var all []string
			for _, l := range got.Lines {
				sums[l.Category] += l.AmountCents
				seen[l.Category] = true
				all = append(all, l.Explanation)
			}
			for cat, want := range tc.want {
				if !seen[cat] || sums[cat] != want {
					t.Errorf("%s = %d (present %v), want %d\n%s", cat, sums[cat], seen[cat], want, strings.Join(all, "\n"))
				}
			}
			for _, cat := range tc.absent {
				if seen[cat] {
					t.Errorf("unexpected %s line\n%s", cat, strings.Join(all, "\n"))
				}
			}
			text := strings.Join(all, "\n")
			for _, s := range tc.expl {
				if !strings.Contains(text, s) {
					t.Errorf("explanations lack %q:\n%s", s, text)
				}
			}
		})
	}
}

// checkBreakdown checks the invariants of every breakdown.
func checkBreakdown(t *testing.T, b Breakdown) {
	t.Helper()
	var sum int64
	for _, l := range b.Lines {
		if l.Rule == "" || l.Explanation == "" || l.Category == "" || l.AmountCents < 0 {
			t.Errorf("incomplete line %+v", l)
		}
		sum += l.AmountCents
	}
	if sum != b.TotalCents {
		t.Errorf("total %d, lines sum to %d", b.TotalCents, sum)
	}
}

func TestCalculateFullBreakdown(t *testing.T) {
	tab := table(t, 2021)
	in := with(mob("SM-COUR-TRAIN", 18, "FI", 1200), func(m *MobilityInput) {
		m.Green, m.TravelDays, m.CourseFeeDays = true, 2, 10
	})
	got, err := tab.Calculate(in)
	if err != nil {
		t.Fatal(err)
	}
	// 320 travel + (14 x 117 + 6 x 81.90) + 350 + 10 x 80
	want := int64(32000 + 14*11700 + 6*8190 + 35000 + 80000)
	if got.TotalCents != want || len(got.Lines) != 4 {
		t.Fatalf("total %d (%d lines), want %d: %+v", got.TotalCents, len(got.Lines), want, got.Lines)
	}
}

func TestKA210KA220LumpSums(t *testing.T) {
	b := mustDefault(t)
	cases := []struct {
		name   string
		year   int
		action string
		want   []int64
	}{
		{"KA210-LUMP/2021 30000 or 60000 EUR", 2021, "KA210", []int64{3000000, 6000000}},
		{"KA210-LUMP/2025 30000 or 60000 EUR", 2025, "ka210", []int64{3000000, 6000000}},
		{"KA220-LUMP/2021 cost-category rules, no lump sum", 2021, "KA220", nil},
		{"KA220-LUMP/2022 120000, 250000 or 400000 EUR", 2022, "KA220", []int64{12000000, 25000000, 40000000}},
		{"KA220-LUMP/2024 120000, 250000 or 400000 EUR", 2024, "KA220", []int64{12000000, 25000000, 40000000}},
		{"KA210-LUMP/2019 no lump sums before 2021", 2019, "KA210", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tab, _ := b.Year(tc.year)
			got := tab.LumpSums(tc.action)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
			if len(got) > 0 {
				got[0] = 1 // the caller's copy
				if tab.LumpSums(tc.action)[0] == 1 {
					t.Fatal("LumpSums must return a copy")
				}
			}
		})
	}
}

func TestOrganisationalSupportTotal(t *testing.T) {
	tab := table(t, 2021)
	cases := []struct {
		name string
		n    int
		want int64
	}{
		{"BUD-RATES-DATA/0 participants", 0, 0},
		{"BUD-RATES-DATA/100 participants at the full rate", 100, 100 * 35000},
		{"BUD-RATES-DATA/101st participant at the lower rate", 101, 100*35000 + 20000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tab.OrganisationalSupportTotal(tc.n); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCountryGroups(t *testing.T) {
	for _, y := range mustDefault(t).Years() {
		tab := table(t, y)
		for _, c := range catalog.ProgrammeCountries(y) {
			if _, partner := tab.CountryGroup(c); partner {
				t.Errorf("%d: programme country %s treated as partner", y, c)
			}
		}
	}
	cases := []struct {
		name    string
		year    int
		country string
		group   int
	}{
		{"BUD-INDIVIDUAL/2021 FI group 1", 2021, "FI", 1},
		{"BUD-INDIVIDUAL/2021 GR alias group 2", 2021, "GR", 2},
		{"BUD-INDIVIDUAL/2021 RS group 3", 2021, "RS", 3},
		{"BUD-INDIVIDUAL/2021 TR group 3", 2021, "TR", 3},
		{"BUD-INDIVIDUAL/2021 LI group 1", 2021, "LI", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if g, _ := table(t, tc.year).CountryGroup(tc.country); g != tc.group {
				t.Fatalf("group %d, want %d", g, tc.group)
			}
		})
	}
}

func TestEurFormat(t *testing.T) {
	for cents, want := range map[int64]string{11700: "117 EUR", 8190: "81.90 EUR", 5: "0.05 EUR", 0: "0 EUR", -150: "-1.50 EUR"} {
		if got := eur(cents); got != want {
			t.Errorf("eur(%d) = %q, want %q", cents, got, want)
		}
	}
}

// TestRuleIDsCovered checks that every rule ID the package claims has at
// least one test case named after it.
func TestRuleIDsCovered(t *testing.T) {
	var names []string
	for _, c := range calcCases {
		names = append(names, c.name)
	}
	for _, c := range malformedCases {
		names = append(names, c.name)
	}
	names = append(names, "KA210-LUMP/", "KA220-LUMP/", "BUD-RATES-DATA/") // TestKA210KA220LumpSums, TestBUDRatesData
	for _, id := range RuleIDs() {
		found := false
		for _, n := range names {
			if strings.HasPrefix(n, id+"/") {
				found = true
			}
		}
		if !found {
			t.Errorf("rule %s has no test case named after it", id)
		}
	}
}

package rates

import (
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"pgregory.net/rapid"
)

// genInput draws a valid mobility for table tab.
func genInput(t *rapid.T, tab *Table) MobilityInput {
	code := rapid.SampledFrom(tab.Activities).Draw(t, "activity")
	a, _ := catalog.ActivityByCode(code)
	days := 1
	if a.Bounded() {
		days = rapid.IntRange(a.MinDays, a.MaxDays).Draw(t, "days")
	}
	in := mob(code, days, rapid.SampledFrom([]string{"FI", "DE", "PL", "EL", "UK", "CH", "UA", "US"}).Draw(t, "country"),
		rapid.IntRange(0, 20000).Draw(t, "km"))
	if code == catalog.CodePrepVisit {
		in.Persons = rapid.IntRange(0, tab.PreparatoryVisit.MaxPersons).Draw(t, "persons")
		return in
	}
	in.Green = rapid.Bool().Draw(t, "green")
	maxTravel := tab.Travel.OrdinaryTravelDays
	if in.Green {
		maxTravel = tab.Travel.GreenTravelDays
	}
	in.TravelDays = rapid.IntRange(0, maxTravel).Draw(t, "travel_days")
	in.FewerOpportunities = rapid.Bool().Draw(t, "fewer")
	if in.FewerOpportunities {
		in.InclusionCents = rapid.Int64Range(0, 500000).Draw(t, "inclusion")
	}
	if in.DistanceKm >= tab.Travel.Bands[0].MinKm {
		in.RealTravelCostCents = rapid.Int64Range(0, 1000000).Draw(t, "real_cost")
	}
	if code == catalog.CodeCourse {
		in.CourseFeeDays = rapid.IntRange(0, min(days, tab.CourseFees.MaxDays)).Draw(t, "course_days")
	}
	return in
}

// TestCalculateProperties checks, over random valid mobilities of every
// call year, that a breakdown is complete and consistent.
func TestCalculateProperties(t *testing.T) {
	b := mustDefault(t)
	rapid.Check(t, func(t *rapid.T) {
		tab, _ := b.Year(rapid.SampledFrom(b.Years()).Draw(t, "year"))
		in := genInput(t, tab)
		got, err := tab.Calculate(in)
		if err != nil {
			t.Fatalf("valid input refused: %v", err)
		}
		var sum int64
		travel := 0
		for _, l := range got.Lines {
			if l.Rule == "" || l.Explanation == "" || l.AmountCents < 0 {
				t.Fatalf("bad line %+v", l)
			}
			if l.Category == CategoryTravel {
				travel++
			}
			sum += l.AmountCents
		}
		if sum != got.TotalCents {
			t.Fatalf("total %d, lines %d", got.TotalCents, sum)
		}
		if in.Activity != catalog.CodePrepVisit && travel != 1 {
			t.Fatalf("want exactly one travel line, got %d", travel)
		}
		// One more day never lowers the grant (BUD-INDIVIDUAL).
		a, _ := catalog.ActivityByCode(in.Activity)
		if a.Bounded() && catalog.Days(in.Start, in.End) < a.MaxDays {
			longer := in
			longer.End = in.End.AddDate(0, 0, 1)
			more, err := tab.Calculate(longer)
			if err != nil || more.TotalCents < got.TotalCents {
				t.Fatalf("one more day: %d -> %d (%v)", got.TotalCents, more.TotalCents, err)
			}
		}
		// Green travel never pays less than ordinary travel (BUD-TRAVEL-BAND),
		// unless ordinary travel gets exceptional costs: BUD-EXC-TRAVEL then
		// pays 80 % of the real cost, which can exceed the green rate when
		// that rate itself covers at least 70 % of it (found by this test:
		// 2024, 100 km, real cost 356.26 EUR: green 285.00, ordinary 285.01).
		if in.Green && in.TravelDays <= tab.Travel.OrdinaryTravelDays {
			plain := in
			plain.Green = false
			p, err := tab.Calculate(plain)
			if err != nil {
				t.Fatalf("ordinary travel refused: %v", err)
			}
			if p.TotalCents > got.TotalCents && !hasLine(p, CategoryExceptional, "BUD-EXC-TRAVEL") {
				t.Fatalf("green %d < ordinary %d", got.TotalCents, p.TotalCents)
			}
		}
	})
}

// TestTravelBandProperties checks the band lookup of every year: each
// distance from the first band on has exactly one band, and amounts do not
// fall as the distance grows.
func TestTravelBandProperties(t *testing.T) {
	b := mustDefault(t)
	rapid.Check(t, func(t *rapid.T) {
		tab, _ := b.Year(rapid.SampledFrom(b.Years()).Draw(t, "year"))
		km := rapid.IntRange(0, 30000).Draw(t, "km")
		bd, ok := tab.TravelBand(km)
		if ok != (km >= tab.Travel.Bands[0].MinKm) {
			t.Fatalf("%d km: band found %v", km, ok)
		}
		if !ok {
			return
		}
		next, _ := tab.TravelBand(km + 1)
		if next.StandardCents < bd.StandardCents {
			t.Fatalf("%d km pays %d, %d km pays %d", km, bd.StandardCents, km+1, next.StandardCents)
		}
	})
}

// hasLine reports whether b has a paying line of category under rule.
func hasLine(b Breakdown, category, rule string) bool {
	for _, l := range b.Lines {
		if l.Category == category && l.Rule == rule && l.AmountCents > 0 {
			return true
		}
	}
	return false
}

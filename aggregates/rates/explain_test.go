package rates

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// explainedGrid is a fixed pseudo-random grid of mobilities over every
// call year, activity and a spread of countries, distances, days and
// claims: each one calculated, its lines (category, rule, amount and
// explanation) or its refusal written out in turn.
func explainedGrid(t *testing.T, n int) (digest string, ok int, rules map[string]bool) {
	t.Helper()
	book, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(16, 2026))
	countries := []string{"FI", "SE", "DE", "FR", "ES", "IT", "PL", "EE", "GR", "GB", "NO", "IS", "TR", "RS", "UA", "US", "IE", "LU"}
	kms := []int{0, 5, 9, 10, 50, 99, 100, 350, 499, 500, 1999, 2000, 2999, 3000, 3999, 4000, 7999, 8000, 12000}
	years := book.Years()
	h := sha256.New()
	rules = map[string]bool{}
	for range n {
		tab, _ := book.Year(years[r.IntN(len(years))])
		start := date("2022-03-01").AddDate(0, 0, r.IntN(400))
		days := 1 + r.IntN(40)
		if r.IntN(8) == 0 {
			days = 60 + r.IntN(300)
		}
		in := MobilityInput{
			Activity: tab.Activities[r.IntN(len(tab.Activities))], Start: start, End: start.AddDate(0, 0, days-1),
			DestinationCountry: countries[r.IntN(len(countries))], DistanceKm: kms[r.IntN(len(kms))],
			Green: r.IntN(2) == 0, TravelDays: r.IntN(3), FewerOpportunities: r.IntN(3) == 0,
			Accompanying: r.IntN(6) == 0, LinguisticSupport: days >= 20 && r.IntN(4) == 0, Ukraine: r.IntN(5) == 0,
			PriorParticipants: r.IntN(120),
		}
		if in.Activity == catalog.CodePrepVisit {
			in = MobilityInput{Activity: in.Activity, Start: start, End: start, DestinationCountry: in.DestinationCountry, DistanceKm: in.DistanceKm, Persons: r.IntN(4)}
		}
		if r.IntN(4) == 0 && tab.Funds(catalog.CodeCourse) {
			in.Activity = catalog.CodeCourse
		}
		if in.Activity == catalog.CodeCourse && r.IntN(2) == 0 {
			in.CourseFeeDays = 1 + r.IntN(12)
			in.PriorCourseFeeDays = r.IntN(4)
		}
		if in.Activity == catalog.CodePrepVisit {
			// a visit claims nothing else
		} else if r.IntN(3) == 0 {
			in.RealTravelCostCents = int64(r.IntN(400_000))
		}
		if in.Activity != catalog.CodePrepVisit && (in.FewerOpportunities || in.Ukraine) && r.IntN(2) == 0 {
			in.InclusionCents = int64(r.IntN(300_000))
		}
		if in.Ukraine && r.IntN(2) == 0 {
			in.UkraineLinguisticCents = int64(r.IntN(300_000))
			in.PriorUkraineLinguisticCents = int64(r.IntN(200_000))
		}
		b, err := tab.Calculate(in)
		if os.Getenv("EXPLAIN_DEBUG") != "" && err != nil {
			t.Log(err)
		}
		if err != nil {
			fmt.Fprintf(h, "refused %v\n", err)
			continue
		}
		ok++
		for _, l := range b.Lines {
			rules[l.Rule] = true
			fmt.Fprintf(h, "%s|%s|%d|%s\n", l.Category, l.Rule, l.AmountCents, l.Explanation)
		}
		fmt.Fprintf(h, "total %d\n", b.TotalCents)
	}
	return hex.EncodeToString(h.Sum(nil)), ok, rules
}

// TestExplanationsUnchanged: the calculator's lines (BUD-*, UA-*,
// ACT-COURSE) are written without fmt since issue 16; over a grid of
// 20 000 mobilities they are the bytes the fmt formulas wrote (the digest
// was taken from the previous code).
func TestExplanationsUnchanged(t *testing.T) {
	const want = "cc7509b784725c8448f7f4b41aa3fa4a9ce740f5704848a8537291cc80d2320d"
	got, ok, rules := explainedGrid(t, 20_000)
	if ok < 5_000 || len(rules) < 12 {
		t.Fatalf("the grid calculated %d mobilities covering %d rules; it should reach most lines", ok, len(rules))
	}
	if got != want {
		t.Fatalf("explanations differ from the previous code's: digest %s, want %s (%d calculated, rules %v)", got, want, ok, rules)
	}
}

// TestExplanationHelpersAsFmt: the append helpers write what the fmt
// formulas they replace wrote, at the edges of int64 too.
func TestExplanationHelpersAsFmt(t *testing.T) {
	oldEUR := func(cents int64) string {
		sign := ""
		if cents < 0 {
			sign, cents = "-", -cents
		}
		if cents%100 == 0 {
			return fmt.Sprintf("%s%d EUR", sign, cents/100)
		}
		return fmt.Sprintf("%s%d.%02d EUR", sign, cents/100, cents%100)
	}
	for _, c := range []int64{0, 1, 9, 10, 99, 100, 101, 8190, 11700, -1, -5, -100, -8190, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		if got, want := eur(c), oldEUR(c); got != want {
			t.Errorf("eur(%d) = %q, want %q", c, got, want)
		}
	}
	for _, n := range []int{0, 1, 2, 11, 12, 13, 21, 22, 23, 101, 111, 112, -1, -2} {
		if got, want := plural(n, "day"), map[bool]string{true: fmt.Sprintf("%d day", n), false: fmt.Sprintf("%d days", n)}[n == 1]; got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
	for _, bd := range []Band{{MinKm: 10, MaxKm: 99}, {MinKm: 8000}} {
		want := fmt.Sprintf("%d-%d km band", bd.MinKm, bd.MaxKm)
		if bd.MaxKm == 0 {
			want = fmt.Sprintf("%d km and more band", bd.MinKm)
		}
		if got := bandName(bd); got != want {
			t.Errorf("bandName(%+v) = %q, want %q", bd, got, want)
		}
	}
}

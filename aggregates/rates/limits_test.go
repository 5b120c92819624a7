package rates

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
	"pgregory.net/rapid"
)

// TestInputAmountRangeRefusesHugeClaims: the reproduction of issue 12 (a
// real travel cost of 1.2e17 cents gave a negative grant by overflow) and
// its siblings are refused naming the rule and the field.
func TestInputAmountRangeRefusesHugeClaims(t *testing.T) {
	tab := table(t, 2022)
	for _, tc := range []struct {
		name  string
		in    MobilityInput
		field string
	}{
		{"INPUT-AMOUNT-RANGE/real travel cost of the reproduction", with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.RealTravelCostCents = 120000000000000000 }), "real_travel_cost_cents"},
		{"INPUT-AMOUNT-RANGE/real travel cost at int64 max", with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.RealTravelCostCents = math.MaxInt64 }), "real_travel_cost_cents"},
		{"INPUT-AMOUNT-RANGE/real travel cost one cent over the limit", with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.RealTravelCostCents = tab.Limits.RealTravelCostCents + 1 }), "real_travel_cost_cents"},
		{"INPUT-AMOUNT-RANGE/inclusion", with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) {
			m.FewerOpportunities, m.InclusionCents = true, math.MaxInt64/50
		}), "inclusion_cents"},
		{"INPUT-AMOUNT-RANGE/linguistic receipts", with(mob("SM-JOB-SHDW", 5, "FI", 1500), func(m *MobilityInput) {
			m.Ukraine, m.UkraineLinguisticCents = true, math.MaxInt64
		}), "ukraine_linguistic_cents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tab.Calculate(tc.in)
			ae := apperr.As(err)
			if err == nil || ae.Rule != RuleAmountRange || ae.Field != tc.field || ae.Code != apperr.Invalid {
				t.Fatalf("got %+v, %v; want %s on %s", b, err, RuleAmountRange, tc.field)
			}
		})
	}
	ok := with(mob("SM-TTA", 5, "DE", 1500), func(m *MobilityInput) { m.RealTravelCostCents = tab.Limits.RealTravelCostCents })
	if b, err := tab.Calculate(ok); err != nil || b.TotalCents <= 0 {
		t.Fatalf("a claim at the limit is refused: %v", err)
	}
}

// TestRatesDataBoundsEveryAmount: limits and unit costs beyond the bounds
// of the money package are refused when the rates are loaded, so the
// calculator's sums cannot overflow whatever the data says.
func TestRatesDataBoundsEveryAmount(t *testing.T) {
	for _, tc := range []struct{ name, from, to, field string }{
		{"limit over the ceiling", `"max_real_travel_cost_cents": 2000000`, `"max_real_travel_cost_cents": 9000000000000000000`, "limits.max_real_travel_cost_cents"},
		{"limit zero", `"max_inclusion_cents": 20000000`, `"max_inclusion_cents": 0`, "limits.max_inclusion_cents"},
		{"daily rate absurd", `"daily_cents": 11700`, `"daily_cents": 4000000000000000000`, "individual_support.rates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := readData(t, 2021)
			if !strings.Contains(data, tc.from) {
				t.Fatalf("data lacks %s", tc.from)
			}
			_, err := Parse([]byte(strings.Replace(data, tc.from, tc.to, 1)))
			if err == nil || !strings.Contains(apperr.As(err).Field, tc.field) {
				t.Fatalf("got %v; want an error on %s", err, tc.field)
			}
		})
	}
	// A table without a limits section gets the defaults.
	data := readData(t, 2021)
	i := strings.Index(data, `  "limits": {`)
	j := i + strings.Index(data[i:], "},\n") + 3
	b, err := Parse([]byte(data[:i] + data[j:]))
	if err != nil {
		t.Fatal(err)
	}
	tab, _ := b.Year(2021)
	if tab.Limits != DefaultLimits() {
		t.Fatalf("limits %+v, want the defaults", tab.Limits)
	}
}

// TestCalculateStaysBoundedOnAdversarialInput: whatever the amounts, the
// calculator refuses or returns a grant between 0 and the mobility bound.
func TestCalculateStaysBoundedOnAdversarialInput(t *testing.T) {
	b := mustDefault(t)
	rapid.Check(t, func(t *rapid.T) {
		tab, _ := b.Year(rapid.SampledFrom(b.Years()).Draw(t, "year"))
		in := genInput(t, tab)
		huge := rapid.OneOf(rapid.Int64(), rapid.Int64Range(0, 1<<40), rapid.Just(int64(math.MaxInt64)))
		switch rapid.IntRange(0, 2).Draw(t, "which") {
		case 0:
			in.RealTravelCostCents = huge.Draw(t, "real")
		case 1:
			in.FewerOpportunities, in.InclusionCents = true, huge.Draw(t, "inclusion")
		case 2:
			in.Ukraine, in.UkraineLinguisticCents = true, huge.Draw(t, "linguistic")
		}
		got, err := tab.Calculate(in)
		if err != nil {
			return
		}
		if got.TotalCents < 0 || got.TotalCents > money.MaxMobilityCents {
			t.Fatalf("grant %d out of bounds for %+v", got.TotalCents, in)
		}
	})
}

// readData returns the embedded rates file of year.
func readData(t *testing.T, year int) string {
	t.Helper()
	b, err := embedded.ReadFile(fmt.Sprintf("data/%d.json", year))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

package projections

import (
	"context"
	"sort"

	"github.com/erasmus-ledger/grants/aggregates/money"
)

// BudgetCategory is one budget category of a project: the grant lines of
// its mobilities that are not cancelled, summed.
type BudgetCategory struct {
	// Category is the budget category of the lines.
	Category string
	// AmountCents sums the lines' amounts.
	AmountCents int64
	// Lines counts the lines (one per mobility, as a rule).
	Lines int
	// Rules are the distinct rule IDs of the lines, sorted.
	Rules []string
	// Examples are the first three distinct explanations of the lines,
	// in mobility ID order then line order.
	Examples []string
}

// MaxBudgetExamples is how many explanations a BudgetCategory quotes.
const MaxBudgetExamples = 3

// BudgetReader is a Reader that keeps each project's budget up to date as
// events arrive, so that reading it costs the same whatever the number of
// mobilities.
type BudgetReader interface {
	// Budget returns the budget categories of project id in category
	// order (none for a project without mobilities or not known).
	Budget(ctx context.Context, projectID string) ([]BudgetCategory, error)
}

// BudgetOf computes the budget categories from the mobilities of a project
// (in ID order, as Mobilities pages them), skipping the cancelled ones: the
// definition a BudgetReader keeps incrementally.
func BudgetOf(mobs []MobilityView) []BudgetCategory {
	type acc struct {
		c     BudgetCategory
		rules map[string]bool
		seen  map[string]bool
	}
	by := map[string]*acc{}
	for _, m := range mobs {
		if m.Status == "cancelled" {
			continue
		}
		for _, l := range m.Lines {
			x := by[l.Category]
			if x == nil {
				x = &acc{c: BudgetCategory{Category: l.Category}, rules: map[string]bool{}, seen: map[string]bool{}}
				by[l.Category] = x
			}
			x.c.AmountCents = money.SatAdd(x.c.AmountCents, l.AmountCents)
			x.c.Lines++
			if l.Rule != "" {
				x.rules[l.Rule] = true
			}
			if l.Explanation != "" && !x.seen[l.Explanation] && len(x.c.Examples) < MaxBudgetExamples {
				x.seen[l.Explanation] = true
				x.c.Examples = append(x.c.Examples, l.Explanation)
			}
		}
	}
	out := make([]BudgetCategory, 0, len(by))
	for _, x := range by {
		for r := range x.rules {
			x.c.Rules = append(x.c.Rules, r)
		}
		sort.Strings(x.c.Rules)
		out = append(out, x.c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Category < out[j].Category })
	return out
}

package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/erasmus-ledger/grants/projections"
)

// Budget is a project's money: awarded, reported, remaining, paid, and the
// reported amount broken down by budget category with the explanation of
// how it was computed.
type Budget struct {
	AwardedCents   int64 `json:"awarded_cents"`
	ReportedCents  int64 `json:"reported_cents"`
	RemainingCents int64 `json:"remaining_cents"`
	PaidCents      int64 `json:"paid_cents"`
	// Breakdown sums the grant lines of the reported mobilities by category.
	Breakdown []BudgetLine `json:"breakdown"`
	// Explanation says in plain English where the figures come from.
	Explanation string `json:"explanation"`
}

// BudgetLine is one budget category of a project.
type BudgetLine struct {
	Category    string `json:"category"`
	Rules       string `json:"rules,omitempty"`
	AmountCents int64  `json:"amount_cents"`
	Mobilities  int    `json:"mobilities"`
	Explanation string `json:"explanation"`
}

// budgetOf returns the budget of project view pv: from the budget the
// read models keep when they do (a few rows, whatever the number of
// mobilities), else computed from the project's mobilities.
func (s *Server) budgetOf(ctx context.Context, pv projections.ProjectView) (Budget, error) {
	if r, ok := s.d.Reader.(projections.BudgetReader); ok {
		cats, err := r.Budget(ctx, pv.ID)
		if err != nil {
			return Budget{}, err
		}
		return budgetFrom(pv, cats, pv.Counts.Mobilities), nil
	}
	mobs, err := s.allMobilities(ctx, projections.MobilityFilter{ProjectID: pv.ID})
	if err != nil {
		return Budget{}, err
	}
	return computeBudget(pv, mobs), nil
}

// allMobilities pages through every mobility that f selects.
func (s *Server) allMobilities(ctx context.Context, f projections.MobilityFilter) ([]projections.MobilityView, error) {
	var out []projections.MobilityView
	f.Limit = projections.MaxLimit
	for {
		page, err := s.d.Reader.Mobilities(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			return out, nil
		}
		f.Cursor = page.NextCursor
	}
}

// computeBudget sums the grant lines of mobs by category.
func computeBudget(pv projections.ProjectView, mobs []projections.MobilityView) Budget {
	reported := 0
	for _, m := range mobs {
		if m.Status != "cancelled" {
			reported++
		}
	}
	return budgetFrom(pv, projections.BudgetOf(mobs), reported)
}

// budgetFrom writes out the budget of pv from its categories; reported
// counts its mobilities not cancelled.
func budgetFrom(pv projections.ProjectView, cats []projections.BudgetCategory, reported int) Budget {
	b := Budget{AwardedCents: pv.AwardedCents, ReportedCents: pv.ReportedCents, RemainingCents: pv.RemainingCents, PaidCents: pv.PaidCents, Breakdown: []BudgetLine{}}
	for _, c := range cats {
		line := BudgetLine{Category: c.Category, Rules: strings.Join(c.Rules, ", "), AmountCents: c.AmountCents, Mobilities: c.Lines}
		line.Explanation = fmt.Sprintf("%s over %s", Euros(line.AmountCents), mobilities(line.Mobilities))
		if len(c.Examples) > 0 {
			line.Explanation += "; for example: " + strings.Join(c.Examples, "; ")
		}
		b.Breakdown = append(b.Breakdown, line)
	}
	switch {
	case pv.AwardedCents == 0:
		b.Explanation = fmt.Sprintf("No grant has been awarded yet (status %s); %s was requested.", pv.Status, Euros(pv.RequestedCents))
	default:
		b.Explanation = fmt.Sprintf("Awarded %s (amendments included). Reported %s over %s, computed from the rates of call year %d. Remaining %s. Paid %s so far (payments less recoveries).",
			Euros(pv.AwardedCents), Euros(pv.ReportedCents), mobilities(reported), pv.CallYear, Euros(pv.RemainingCents), Euros(pv.PaidCents))
	}
	return b
}

// mobilities counts mobilities in English: "1 mobility", "3 mobilities".
func mobilities(n int) string {
	if n == 1 {
		return "1 mobility"
	}
	return fmt.Sprintf("%d mobilities", n)
}

// Euros renders cents as "1 234.56 EUR".
func Euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := fmt.Sprintf("%d", cents/100)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s%s.%02d EUR", sign, b.String(), cents%100)
}

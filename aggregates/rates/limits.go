package rates

import (
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// RuleAmountRange is the rule of an amount outside its bound
// (docs/rules.md section 10).
const RuleAmountRange = "INPUT-AMOUNT-RANGE"

// Limits are the largest amounts one mobility may claim against receipts
// (INPUT-AMOUNT-RANGE). They are rate-related, so they are data of the call
// year: the national office may correct them like any unit cost. A table
// without a "limits" section gets DefaultLimits.
type Limits struct {
	Provenance
	// RealTravelCostCents bounds real_travel_cost_cents (BUD-EXC-TRAVEL).
	RealTravelCostCents int64 `json:"max_real_travel_cost_cents"`
	// InclusionCents bounds inclusion_cents, the real inclusion costs of
	// one participant.
	InclusionCents int64 `json:"max_inclusion_cents"`
	// LinguisticReceiptCents bounds ukraine.linguistic_cents, the receipts
	// of linguistic support (of which at most UA-LINGUISTIC is paid).
	LinguisticReceiptCents int64 `json:"max_linguistic_receipt_cents"`
}

// DefaultLimits are the limits of a table that names none:
//   - real travel 20 000 EUR: a return flight to the far side of the world
//     in the dearest class the Programme would fund stays well below;
//   - inclusion 200 000 EUR: a participant with a severe disability on a
//     365-day mobility with a full-time personal assistant;
//   - linguistic receipts 20 000 EUR: a year of private language tuition
//     (UA-LINGUISTIC pays at most 300 EUR of it anyway).
func DefaultLimits() Limits {
	return Limits{
		Provenance:             Provenance{Source: "docs/rules.md section 10 INPUT-AMOUNT-RANGE: default bounds of the ledger", Confirmed: false},
		RealTravelCostCents:    2_000_000,
		InclusionCents:         20_000_000,
		LinguisticReceiptCents: 2_000_000,
	}
}

// withDefaultLimits fills a table's missing limits section.
func withDefaultLimits(t *Table) {
	if t.Limits == (Limits{}) {
		t.Limits = DefaultLimits()
	}
}

// validateLimits checks the limits and bounds every amount of the table,
// so that no sum the calculator makes from them can overflow.
func validateLimits(t *Table) error {
	l := t.Limits
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"limits.max_real_travel_cost_cents", l.RealTravelCostCents},
		{"limits.max_inclusion_cents", l.InclusionCents},
		{"limits.max_linguistic_receipt_cents", l.LinguisticReceiptCents},
	} {
		if f.v <= 0 || f.v > money.MaxMobilityCents {
			return dataErr(f.name, "must be positive and at most %d, not %d", money.MaxMobilityCents, f.v)
		}
	}
	for _, a := range unitAmounts(t) {
		if a.v > money.MaxMobilityCents {
			return dataErr(a.name, "%d cents is more than any unit cost can be (at most %d)", a.v, money.MaxMobilityCents)
		}
	}
	for i, ls := range t.LumpSumsByAction {
		for j, a := range ls.AmountsCents {
			if a > money.MaxProjectCents {
				return dataErr(fmt.Sprintf("lump_sums[%d].amounts_cents[%d]", i, j), "%d cents is more than a project's grant can be (at most %d)", a, money.MaxProjectCents)
			}
		}
	}
	return nil
}

type namedAmount struct {
	name string
	v    int64
}

// unitAmounts lists the unit costs of a table with their paths.
func unitAmounts(t *Table) []namedAmount {
	out := []namedAmount{
		{"organisational_support.per_participant_cents", t.OrganisationalSupport.PerParticipantCents},
		{"organisational_support.beyond_cents", t.OrganisationalSupport.BeyondCents},
		{"inclusion_support.per_participant_cents", t.InclusionSupport.PerParticipantCents},
		{"course_fees.per_day_cents", t.CourseFees.PerDayCents},
		{"linguistic_support.per_participant_cents", t.LinguisticSupport.PerParticipantCents},
		{"preparatory_visit.per_person_cents", t.PreparatoryVisit.PerPersonCents},
	}
	for i, b := range t.Travel.Bands {
		out = append(out, namedAmount{fmt.Sprintf("travel.bands[%d].standard_cents", i), b.StandardCents},
			namedAmount{fmt.Sprintf("travel.bands[%d].green_cents", i), b.GreenCents})
	}
	for i, r := range t.IndividualSupport.Rates {
		out = append(out, namedAmount{fmt.Sprintf("individual_support.rates[%d].daily_cents", i), r.DailyCents},
			namedAmount{fmt.Sprintf("individual_support.rates[%d].reduced_daily_cents", i), r.ReducedDailyCents})
	}
	if u := t.Ukraine; u != nil {
		out = append(out, namedAmount{"ukraine.organisational_support_cents", u.OrganisationalSupportCents},
			namedAmount{"ukraine.linguistic_max_cents", u.LinguisticMaxCents})
	}
	return out
}

// checkLimits refuses an amount of the input outside this year's limits.
func (t *Table) checkLimits(in MobilityInput) error {
	for _, f := range []struct {
		name  string
		v     int64
		limit int64
	}{
		{"real_travel_cost_cents", in.RealTravelCostCents, t.Limits.RealTravelCostCents},
		{"inclusion_cents", in.InclusionCents, t.Limits.InclusionCents},
		{"ukraine_linguistic_cents", in.UkraineLinguisticCents, t.Limits.LinguisticReceiptCents},
	} {
		if f.v > f.limit {
			return &apperr.Error{Code: apperr.Invalid, Rule: RuleAmountRange, Field: f.name,
				Message: fmt.Sprintf("%s is more than the %s one mobility may claim in call year %d (limits in the rates table)", eur(f.v), eur(f.limit), t.CallYear)}
		}
	}
	return nil
}

// overflow is the error of a sum that would not fit: with bounded inputs
// and rates it cannot happen, so it names the rule and the input field.
func overflow(field string) error {
	return &apperr.Error{Code: apperr.Invalid, Rule: RuleAmountRange, Field: field,
		Message: "the amounts of this mobility are too large to compute a grant from"}
}

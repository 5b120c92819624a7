package rates

import (
	"fmt"
	"slices"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// validate checks a decoded table; the error's Field is relative to the table.
func validate(t *Table) error {
	withDefaultLimits(t)
	for _, check := range []func(*Table) error{
		validateHeader, validateTravel, validateGroups, validateIndividual,
		validateUnitCosts, validateUkraine, validateLumpSums, validateLimits,
	} {
		if err := check(t); err != nil {
			return err
		}
	}
	return nil
}

func validateHeader(t *Table) error {
	if t.CallYear < 2014 || t.CallYear > 2100 {
		return dataErr("call_year", "call year must be 2014 or later, not %d", t.CallYear)
	}
	if strings.TrimSpace(t.Source) == "" {
		return dataErr("source", "say where the figures come from")
	}
	if len(t.Activities) == 0 {
		return dataErr("activities", "list the activity codes this year's rates fund")
	}
	for i, code := range t.Activities {
		a, ok := catalog.ActivityByCode(code)
		f := fmt.Sprintf("activities[%d]", i)
		switch {
		case !ok:
			return dataErr(f, "unknown activity code %q; known codes: %s", code, strings.Join(catalog.Codes(), ", "))
		case a.Code != code:
			return dataErr(f, "write the activity code as %q", a.Code)
		case slices.Contains(t.Activities[:i], code):
			return dataErr(f, "activity %s is listed twice", code)
		}
	}
	return nil
}

func validateTravel(t *Table) error {
	tr := t.Travel
	if len(tr.Bands) == 0 {
		return dataErr("travel.bands", "at least one distance band is needed")
	}
	for i, b := range tr.Bands {
		f := fmt.Sprintf("travel.bands[%d]", i)
		last := i == len(tr.Bands)-1
		switch {
		case i == 0 && b.MinKm < 1:
			return dataErr(f+".min_km", "the first band must start at 1 km or more, not %d", b.MinKm)
		case i > 0 && b.MinKm != tr.Bands[i-1].MaxKm+1:
			return dataErr(f+".min_km", "bands must be contiguous: this band must start at %d km (the previous band ends at %d km), not %d",
				tr.Bands[i-1].MaxKm+1, tr.Bands[i-1].MaxKm, b.MinKm)
		case last && b.MaxKm != 0:
			return dataErr(f+".max_km", "the last band is open-ended: max_km must be 0, not %d", b.MaxKm)
		case !last && b.MaxKm < b.MinKm:
			return dataErr(f+".max_km", "max_km %d is below min_km %d (only the last band may be open-ended with 0)", b.MaxKm, b.MinKm)
		case b.StandardCents <= 0:
			return dataErr(f+".standard_cents", "the standard amount must be positive, not %d", b.StandardCents)
		case b.GreenCents < 0 || (b.GreenCents > 0 && b.GreenCents < b.StandardCents):
			return dataErr(f+".green_cents", "the green amount is 0 (no green rate) or at least the standard amount %d, not %d", b.StandardCents, b.GreenCents)
		}
	}
	if tr.OrdinaryTravelDays < 0 {
		return dataErr("travel.ordinary_travel_days", "must be 0 or more, not %d", tr.OrdinaryTravelDays)
	}
	if tr.GreenTravelDays < tr.OrdinaryTravelDays {
		return dataErr("travel.green_travel_days", "green travel funds at least the ordinary %d travel days, not %d", tr.OrdinaryTravelDays, tr.GreenTravelDays)
	}
	return nil
}

func validateGroups(t *Table) error {
	if len(t.CountryGroups) == 0 {
		return dataErr("country_groups", "country groups are needed")
	}
	seen := map[string]int{}
	for i, g := range t.CountryGroups {
		f := fmt.Sprintf("country_groups[%d]", i)
		if g.Group != i+1 {
			return dataErr(f+".group", "groups are numbered 1, 2, 3, ... in order: expected %d, not %d", i+1, g.Group)
		}
		if len(g.Countries) == 0 {
			return dataErr(f+".countries", "group %d has no countries", g.Group)
		}
		for j, c := range g.Countries {
			cf := fmt.Sprintf("%s.countries[%d]", f, j)
			n := catalog.NormaliseCountry(c)
			switch {
			case !catalog.KnownCountry(c):
				return dataErr(cf, "unknown country code %q", c)
			case n != c:
				return dataErr(cf, "write country %q as %q", c, n)
			}
			if prev, dup := seen[c]; dup {
				return dataErr(cf, "country %s is already in group %d", c, prev)
			}
			seen[c] = g.Group
		}
	}
	for _, c := range catalog.ProgrammeCountries(t.CallYear) {
		if _, ok := seen[c]; !ok {
			return dataErr("country_groups", "programme country %s of call year %d is in no country group", c, t.CallYear)
		}
	}
	if t.PartnerCountryGroup < 1 || t.PartnerCountryGroup > len(t.CountryGroups) {
		return dataErr("partner_country_group", "must be one of the country groups 1 to %d, not %d", len(t.CountryGroups), t.PartnerCountryGroup)
	}
	return nil
}

func validateIndividual(t *Table) error {
	is := t.IndividualSupport
	if is.ReducedFromDay < 2 {
		return dataErr("individual_support.reduced_from_day", "must be day 2 or later, not %d", is.ReducedFromDay)
	}
	if is.ReducedPercent < 1 || is.ReducedPercent > 100 {
		return dataErr("individual_support.reduced_percent", "must be 1 to 100, not %d", is.ReducedPercent)
	}
	type key struct {
		class string
		group int
	}
	seen := map[key]bool{}
	for i, r := range is.Rates {
		f := fmt.Sprintf("individual_support.rates[%d]", i)
		switch {
		case r.Class != ClassStaff && r.Class != ClassLearner && r.Class != ClassPupil:
			return dataErr(f+".class", "class must be %s, %s or %s, not %q", ClassStaff, ClassLearner, ClassPupil, r.Class)
		case r.Group < 1 || r.Group > len(t.CountryGroups):
			return dataErr(f+".group", "must be one of the country groups 1 to %d, not %d", len(t.CountryGroups), r.Group)
		case r.DailyCents <= 0:
			return dataErr(f+".daily_cents", "must be positive, not %d", r.DailyCents)
		case r.ReducedDailyCents < 0 || r.ReducedDailyCents > r.DailyCents:
			return dataErr(f+".reduced_daily_cents", "must be 0 (use reduced_percent) or at most the daily rate %d, not %d", r.DailyCents, r.ReducedDailyCents)
		case seen[key{r.Class, r.Group}]:
			return dataErr(f, "a second %s rate for group %d", r.Class, r.Group)
		}
		seen[key{r.Class, r.Group}] = true
	}
	for _, class := range []string{ClassStaff, ClassLearner, ClassPupil} {
		for g := 1; g <= len(t.CountryGroups); g++ {
			if !seen[key{class, g}] {
				return dataErr("individual_support.rates", "no %s rate for country group %d", class, g)
			}
		}
	}
	return nil
}

func validateUnitCosts(t *Table) error {
	o := t.OrganisationalSupport
	switch {
	case o.PerParticipantCents < 0:
		return dataErr("organisational_support.per_participant_cents", "must be 0 or more, not %d", o.PerParticipantCents)
	case o.FullRateParticipants < 0:
		return dataErr("organisational_support.full_rate_participants", "must be 0 (no lower rate) or more, not %d", o.FullRateParticipants)
	case o.FullRateParticipants > 0 && (o.BeyondCents <= 0 || o.BeyondCents > o.PerParticipantCents):
		return dataErr("organisational_support.beyond_cents", "the rate beyond participant %d must be positive and at most %d, not %d", o.FullRateParticipants, o.PerParticipantCents, o.BeyondCents)
	case o.FullRateParticipants == 0 && o.BeyondCents != 0:
		return dataErr("organisational_support.beyond_cents", "set full_rate_participants to use a lower rate")
	}
	in := t.InclusionSupport
	if in.PerParticipantCents < 0 {
		return dataErr("inclusion_support.per_participant_cents", "must be 0 or more, not %d", in.PerParticipantCents)
	}
	if in.RealCostPercent < 0 || in.RealCostPercent > 100 {
		return dataErr("inclusion_support.real_cost_percent", "must be 0 to 100, not %d", in.RealCostPercent)
	}
	cf := t.CourseFees
	if slices.Contains(t.Activities, catalog.CodeCourse) && (cf.PerDayCents <= 0 || cf.MaxDays < 1) {
		return dataErr("course_fees", "%s is funded, so course fees need a positive per_day_cents and max_days", catalog.CodeCourse)
	}
	if cf.PerDayCents < 0 || cf.MaxDays < 0 {
		return dataErr("course_fees", "amounts and days must be 0 or more")
	}
	if l := t.LinguisticSupport; l.PerParticipantCents < 0 || l.MinDays < 0 {
		return dataErr("linguistic_support", "amounts and days must be 0 or more")
	}
	pv := t.PreparatoryVisit
	if slices.Contains(t.Activities, catalog.CodePrepVisit) && (pv.PerPersonCents <= 0 || pv.MaxPersons < 1) {
		return dataErr("preparatory_visit", "%s is funded, so preparatory visits need a positive per_person_cents and max_persons", catalog.CodePrepVisit)
	}
	if pv.PerPersonCents < 0 || pv.MaxPersons < 0 {
		return dataErr("preparatory_visit", "amounts and persons must be 0 or more")
	}
	ex := t.ExceptionalTravel
	if ex.CoverageBelowPercent < 1 || ex.CoverageBelowPercent > 100 {
		return dataErr("exceptional_travel.coverage_below_percent", "must be 1 to 100, not %d", ex.CoverageBelowPercent)
	}
	if ex.PaidPercent < 1 || ex.PaidPercent > 100 {
		return dataErr("exceptional_travel.paid_percent", "must be 1 to 100, not %d", ex.PaidPercent)
	}
	return nil
}

func validateUkraine(t *Table) error {
	u := t.Ukraine
	if u == nil {
		return nil
	}
	switch {
	case u.OrganisationalSupportCents <= 0:
		return dataErr("ukraine.organisational_support_cents", "must be positive, not %d", u.OrganisationalSupportCents)
	case u.LinguisticMaxCents <= 0:
		return dataErr("ukraine.linguistic_max_cents", "must be positive, not %d", u.LinguisticMaxCents)
	case u.IndividualSupportGroup < 1 || u.IndividualSupportGroup > len(t.CountryGroups):
		return dataErr("ukraine.individual_support_group", "must be one of the country groups 1 to %d, not %d", len(t.CountryGroups), u.IndividualSupportGroup)
	}
	return nil
}

func validateLumpSums(t *Table) error {
	for i, l := range t.LumpSumsByAction {
		f := fmt.Sprintf("lump_sums[%d]", i)
		if l.Action == "" || l.Action != strings.ToUpper(strings.TrimSpace(l.Action)) {
			return dataErr(f+".action", "write the action code in capitals, e.g. KA210, not %q", l.Action)
		}
		for _, p := range t.LumpSumsByAction[:i] {
			if p.Action == l.Action {
				return dataErr(f+".action", "action %s is listed twice", l.Action)
			}
		}
		if len(l.AmountsCents) == 0 {
			return dataErr(f+".amounts_cents", "list at least one amount, or leave the action out")
		}
		for j, a := range l.AmountsCents {
			if a <= 0 || (j > 0 && a <= l.AmountsCents[j-1]) {
				return dataErr(fmt.Sprintf("%s.amounts_cents[%d]", f, j), "amounts must be positive and ascending; %d is not", a)
			}
		}
	}
	return nil
}

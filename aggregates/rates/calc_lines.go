package rates

import (
	"fmt"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func (t *Table) prepVisit(b *Breakdown, c calc) {
	pv := t.PreparatoryVisit
	b.add(CategoryPrepVisit, "BUD-PREP-VISIT", times(c.persons, pv.PerPersonCents),
		fmt.Sprintf("preparatory visit: %s x %s (at most %d persons a visit)", plural(c.persons, "person"), eur(pv.PerPersonCents), pv.MaxPersons))
}

func bandName(bd Band) string {
	if bd.MaxKm == 0 {
		return fmt.Sprintf("%d km and more band", bd.MinKm)
	}
	return fmt.Sprintf("%d-%d km band", bd.MinKm, bd.MaxKm)
}

// travel adds the travel line and, for expensive travel, exceptional costs.
func (t *Table) travel(b *Breakdown, c calc) error {
	in := c.in
	maxDays, kind := t.Travel.OrdinaryTravelDays, "ordinary"
	if in.Green {
		maxDays, kind = t.Travel.GreenTravelDays, "green"
	}
	if in.TravelDays > maxDays {
		return apperr.RuleField("BUD-TRAVEL-DAYS", "travel_days", "%s travel funds at most %s in call year %d; this mobility claims %d",
			kind, plural(maxDays, "travel day"), t.CallYear, in.TravelDays)
	}
	bd, ok := t.TravelBand(in.DistanceKm)
	if !ok {
		b.add(CategoryTravel, "BUD-TRAVEL-BAND", 0, fmt.Sprintf("travel: %d km is under %d km, so no travel grant", in.DistanceKm, t.Travel.Bands[0].MinKm))
		if in.RealTravelCostCents > 0 {
			return apperr.RuleField("BUD-EXC-TRAVEL", "real_travel_cost_cents", "exceptional travel costs need a distance of at least %d km; this mobility travels %d km", t.Travel.Bands[0].MinKm, in.DistanceKm)
		}
		return nil
	}
	amount, expl := bd.StandardCents, fmt.Sprintf("travel: %s: %s", bandName(bd), eur(bd.StandardCents))
	switch {
	case in.Green && bd.GreenCents > 0:
		amount, expl = bd.GreenCents, fmt.Sprintf("travel: %s, green travel: %s", bandName(bd), eur(bd.GreenCents))
	case in.Green:
		expl += " (this band has no green rate)"
	}
	ex := t.ExceptionalTravel
	real := in.RealTravelCostCents
	if real > 0 && money.SatMul(amount, 100) < money.SatMul(real, int64(ex.CoverageBelowPercent)) {
		paid := percentOf(real, ex.PaidPercent)
		b.add(CategoryTravel, "BUD-EXC-TRAVEL", 0, expl+", replaced by exceptional costs")
		b.add(CategoryExceptional, "BUD-EXC-TRAVEL", paid, fmt.Sprintf(
			"exceptional costs: the standard travel grant of %s covers %d %% of the real travel cost of %s (less than %d %%), so %d %% of the real cost is paid: %s",
			eur(amount), amount*100/real, eur(real), ex.CoverageBelowPercent, ex.PaidPercent, eur(paid)))
		return nil
	}
	if real > 0 {
		expl += fmt.Sprintf(" (covers %d %% of the real cost of %s, at least %d %%, so no exceptional costs)", amount*100/real, eur(real), ex.CoverageBelowPercent)
	}
	b.add(CategoryTravel, "BUD-TRAVEL-BAND", amount, expl)
	return nil
}

// individual adds individual support for activity and travel days.
func (t *Table) individual(b *Breakdown, c calc) error {
	in := c.in
	class := ClassStaff
	switch {
	case in.Accompanying || c.act.Staff:
	case c.act.Pupil:
		class = ClassPupil
	default:
		class = ClassLearner
	}
	group, partner := t.CountryGroup(c.country)
	rule, where := "BUD-INDIVIDUAL", fmt.Sprintf("country group %d (%s)", group, c.country)
	if partner {
		where = fmt.Sprintf("country group %d (%s, partner country)", group, c.country)
	}
	if in.Ukraine {
		group = t.Ukraine.IndividualSupportGroup
		rule, where = "UA-INDIVIDUAL", fmt.Sprintf("Ukraine exception: country group %d rate (Finland's group), venue %s", group, c.country)
	}
	r, ok := t.DailyRate(class, group)
	if !ok {
		return apperr.New(apperr.Internal, "rates of call year %d have no %s rate for group %d", t.CallYear, class, group)
	}
	is := t.IndividualSupport
	reduced, how := r.ReducedDailyCents, fmt.Sprintf("%d %% from day %d", is.ReducedPercent, is.ReducedFromDay)
	if reduced == 0 {
		reduced = percentOf(r.DailyCents, is.ReducedPercent)
	} else {
		how = fmt.Sprintf("reduced rate from day %d", is.ReducedFromDay)
	}
	funded := c.days + in.TravelDays
	full := min(funded, is.ReducedFromDay-1)
	rest := funded - full
	amount := money.SatAdd(times(full, r.DailyCents), times(rest, reduced))
	parts := []string{fmt.Sprintf("%s x %s", plural(full, "day"), eur(r.DailyCents))}
	if rest > 0 {
		parts = append(parts, fmt.Sprintf("%s x %s (%s)", plural(rest, "day"), eur(reduced), how))
	}
	days := plural(c.days, "activity day")
	if in.TravelDays > 0 {
		days += " + " + plural(in.TravelDays, "travel day")
	}
	b.add(CategoryIndividual, rule, amount, fmt.Sprintf("individual support: %s, %s rate, %s; %s",
		strings.Join(parts, " + "), class, where, days))
	return nil
}

func (t *Table) organisational(b *Breakdown, c calc) {
	switch {
	case c.in.Accompanying:
		return
	case c.in.Ukraine:
		u := t.Ukraine.OrganisationalSupportCents
		b.add(CategoryOrganisational, "UA-ORG-SUPPORT", u, fmt.Sprintf("organisational support under the Ukraine exception: %s per participant", eur(u)))
	case t.OrganisationalSupport.PerParticipantCents > 0:
		o := t.OrganisationalSupport
		nth := max(c.in.PriorParticipants, 0) + 1
		if o.FullRateParticipants > 0 && nth > o.FullRateParticipants {
			b.add(CategoryOrganisational, "BUD-ORG-SUPPORT", o.BeyondCents, fmt.Sprintf(
				"organisational support: %s for participant %d of the project, the lower rate beyond the %s participant (%s up to it)",
				eur(o.BeyondCents), nth, ordinal(o.FullRateParticipants), eur(o.PerParticipantCents)))
			return
		}
		expl := fmt.Sprintf("organisational support: %s per participant", eur(o.PerParticipantCents))
		if o.FullRateParticipants > 0 {
			expl = fmt.Sprintf("organisational support: %s for participant %d of the project (%s beyond the %s participant)",
				eur(o.PerParticipantCents), nth, eur(o.BeyondCents), ordinal(o.FullRateParticipants))
		}
		b.add(CategoryOrganisational, "BUD-ORG-SUPPORT", o.PerParticipantCents, expl)
	}
}

func (t *Table) inclusion(b *Breakdown, c calc) {
	in := c.in
	rule := "BUD-RATES-DATA"
	if in.Ukraine {
		rule = "UA-INCLUSION"
	}
	is := t.InclusionSupport
	if (in.FewerOpportunities || (in.Ukraine && in.InclusionCents > 0)) && is.PerParticipantCents > 0 {
		who := "a participant with fewer opportunities"
		if in.Ukraine {
			who = "a participant under the Ukraine exception (eligible automatically, applied for separately)"
		}
		b.add(CategoryInclusion, rule, is.PerParticipantCents, fmt.Sprintf("inclusion support for organisations: %s for %s", eur(is.PerParticipantCents), who))
	}
	if in.InclusionCents > 0 {
		paid := percentOf(in.InclusionCents, is.RealCostPercent)
		b.add(CategoryInclusion, rule, paid, fmt.Sprintf("inclusion support for the participant: %d %% of real costs of %s", is.RealCostPercent, eur(in.InclusionCents)))
	}
}

// ordinal writes n as "100th", "101st", "102nd", "103rd".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

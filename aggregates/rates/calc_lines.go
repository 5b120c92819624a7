package rates

import (
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func (t *Table) prepVisit(b *Breakdown, c calc) {
	pv := t.PreparatoryVisit
	var buf [96]byte
	x := text(buf[:0]).s("preparatory visit: ").plural(c.persons, "person").s(" x ").eur(pv.PerPersonCents)
	x = x.s(" (at most ").d(int64(pv.MaxPersons)).s(" persons a visit)")
	b.add(CategoryPrepVisit, "BUD-PREP-VISIT", times(c.persons, pv.PerPersonCents), string(x))
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
		var buf [64]byte
		x := text(buf[:0]).s("travel: ").d(int64(in.DistanceKm)).s(" km is under ").d(int64(t.Travel.Bands[0].MinKm)).s(" km, so no travel grant")
		b.add(CategoryTravel, "BUD-TRAVEL-BAND", 0, string(x))
		if in.RealTravelCostCents > 0 {
			return apperr.RuleField("BUD-EXC-TRAVEL", "real_travel_cost_cents", "exceptional travel costs need a distance of at least %d km; this mobility travels %d km", t.Travel.Bands[0].MinKm, in.DistanceKm)
		}
		return nil
	}
	var buf [160]byte
	x := text(buf[:0]).s("travel: ").band(bd)
	amount := bd.StandardCents
	switch {
	case in.Green && bd.GreenCents > 0:
		amount = bd.GreenCents
		x = x.s(", green travel: ").eur(amount)
	case in.Green:
		x = x.s(": ").eur(amount).s(" (this band has no green rate)")
	default:
		x = x.s(": ").eur(amount)
	}
	ex := t.ExceptionalTravel
	real := in.RealTravelCostCents
	if real > 0 && money.SatMul(amount, 100) < money.SatMul(real, int64(ex.CoverageBelowPercent)) {
		paid := percentOf(real, ex.PaidPercent)
		b.add(CategoryTravel, "BUD-EXC-TRAVEL", 0, string(x.s(", replaced by exceptional costs")))
		var ebuf [224]byte
		e := text(ebuf[:0]).s("exceptional costs: the standard travel grant of ").eur(amount).s(" covers ").d(amount * 100 / real)
		e = e.s(" % of the real travel cost of ").eur(real).s(" (less than ").d(int64(ex.CoverageBelowPercent))
		e = e.s(" %), so ").d(int64(ex.PaidPercent)).s(" % of the real cost is paid: ").eur(paid)
		b.add(CategoryExceptional, "BUD-EXC-TRAVEL", paid, string(e))
		return nil
	}
	if real > 0 {
		x = x.s(" (covers ").d(amount * 100 / real).s(" % of the real cost of ").eur(real).s(", at least ")
		x = x.d(int64(ex.CoverageBelowPercent)).s(" %, so no exceptional costs)")
	}
	b.add(CategoryTravel, "BUD-TRAVEL-BAND", amount, string(x))
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
	rule, venueGroup := "BUD-INDIVIDUAL", group
	if in.Ukraine {
		group = t.Ukraine.IndividualSupportGroup
		rule = "UA-INDIVIDUAL"
	}
	r, ok := t.DailyRate(class, group)
	if !ok {
		return apperr.New(apperr.Internal, "rates of call year %d have no %s rate for group %d", t.CallYear, class, group)
	}
	is := t.IndividualSupport
	reduced := r.ReducedDailyCents
	if reduced == 0 {
		reduced = percentOf(r.DailyCents, is.ReducedPercent)
	}
	funded := c.days + in.TravelDays
	full := min(funded, is.ReducedFromDay-1)
	rest := funded - full
	amount := money.SatAdd(times(full, r.DailyCents), times(rest, reduced))
	var buf [256]byte
	x := text(buf[:0]).s("individual support: ").plural(full, "day").s(" x ").eur(r.DailyCents)
	if rest > 0 {
		x = x.s(" + ").plural(rest, "day").s(" x ").eur(reduced).s(" (")
		if r.ReducedDailyCents == 0 {
			x = x.d(int64(is.ReducedPercent)).s(" % from day ")
		} else {
			x = x.s("reduced rate from day ")
		}
		x = x.d(int64(is.ReducedFromDay)).s(")")
	}
	x = x.s(", ").s(class).s(" rate, ")
	switch {
	case in.Ukraine:
		x = x.s("Ukraine exception: country group ").d(int64(group)).s(" rate (Finland's group), venue ").s(c.country)
	case partner:
		x = x.s("country group ").d(int64(venueGroup)).s(" (").s(c.country).s(", partner country)")
	default:
		x = x.s("country group ").d(int64(venueGroup)).s(" (").s(c.country).s(")")
	}
	x = x.s("; ").plural(c.days, "activity day")
	if in.TravelDays > 0 {
		x = x.s(" + ").plural(in.TravelDays, "travel day")
	}
	b.add(CategoryIndividual, rule, amount, string(x))
	return nil
}

func (t *Table) organisational(b *Breakdown, c calc) {
	switch {
	case c.in.Accompanying:
		return
	case c.in.Ukraine:
		u := t.Ukraine.OrganisationalSupportCents
		var buf [96]byte
		b.add(CategoryOrganisational, "UA-ORG-SUPPORT", u, string(text(buf[:0]).s("organisational support under the Ukraine exception: ").eur(u).s(" per participant")))
	case t.OrganisationalSupport.PerParticipantCents > 0:
		o := t.OrganisationalSupport
		nth := max(c.in.PriorParticipants, 0) + 1
		var buf [160]byte
		x := text(buf[:0]).s("organisational support: ")
		if o.FullRateParticipants > 0 && nth > o.FullRateParticipants {
			x = x.eur(o.BeyondCents).s(" for participant ").d(int64(nth)).s(" of the project, the lower rate beyond the ")
			x = x.ordinal(o.FullRateParticipants).s(" participant (").eur(o.PerParticipantCents).s(" up to it)")
			b.add(CategoryOrganisational, "BUD-ORG-SUPPORT", o.BeyondCents, string(x))
			return
		}
		x = x.eur(o.PerParticipantCents)
		if o.FullRateParticipants > 0 {
			x = x.s(" for participant ").d(int64(nth)).s(" of the project (").eur(o.BeyondCents).s(" beyond the ")
			x = x.ordinal(o.FullRateParticipants).s(" participant)")
		} else {
			x = x.s(" per participant")
		}
		b.add(CategoryOrganisational, "BUD-ORG-SUPPORT", o.PerParticipantCents, string(x))
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
		var buf [160]byte
		x := text(buf[:0]).s("inclusion support for organisations: ").eur(is.PerParticipantCents).s(" for ").s(who)
		b.add(CategoryInclusion, rule, is.PerParticipantCents, string(x))
	}
	if in.InclusionCents > 0 {
		paid := percentOf(in.InclusionCents, is.RealCostPercent)
		var buf [96]byte
		x := text(buf[:0]).s("inclusion support for the participant: ").d(int64(is.RealCostPercent)).s(" % of real costs of ").eur(in.InclusionCents)
		b.add(CategoryInclusion, rule, paid, string(x))
	}
}

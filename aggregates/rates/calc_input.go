package rates

import (
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// calc is a validated MobilityInput with what was derived from it.
type calc struct {
	in      MobilityInput
	act     catalog.Activity
	days    int
	country string
	persons int
}

// prepare validates in against the catalogue and this table.
func (t *Table) prepare(in MobilityInput) (calc, error) {
	c := calc{in: in, persons: max(in.Persons, 1)}
	act, ok := catalog.ActivityByCode(in.Activity)
	if !ok {
		return c, apperr.InvalidField("activity", "unknown activity code %q; known codes: %s", in.Activity, strings.Join(catalog.Codes(), ", "))
	}
	c.act = act
	if !t.Funds(act.Code) {
		return c, apperr.RuleField("BUD-RATES-DATA", "activity", "the rates of call year %d fund %s; %s (%s) is not funded that year",
			t.CallYear, strings.Join(t.Activities, ", "), act.Code, act.Name)
	}
	if in.Start.IsZero() {
		return c, apperr.InvalidField("start", "the start date is required")
	}
	if in.End.IsZero() {
		return c, apperr.InvalidField("end", "the end date is required")
	}
	c.days = catalog.Days(in.Start, in.End)
	if c.days < 1 {
		return c, apperr.InvalidField("end", "the end date %s is before the start date %s", in.End.Format("2006-01-02"), in.Start.Format("2006-01-02"))
	}
	if err := checkAmounts(in); err != nil {
		return c, err
	}
	if err := t.checkLimits(in); err != nil {
		return c, err
	}
	if in.Persons < 0 {
		return c, apperr.InvalidField("persons", "must be 0 or more, not %d", in.Persons)
	}
	if act.Code == catalog.CodePrepVisit {
		return c, t.preparePrepVisit(c)
	}
	if in.Persons > 1 {
		return c, apperr.InvalidField("persons", "a mobility is one participant; only a preparatory visit may have up to %d persons", t.PreparatoryVisit.MaxPersons)
	}
	if err := checkDuration(c); err != nil {
		return c, err
	}
	c.country = catalog.NormaliseCountry(in.DestinationCountry)
	if c.country == "" {
		return c, apperr.InvalidField("destination_country", "the destination country is required")
	}
	if !catalog.KnownCountry(c.country) {
		return c, apperr.InvalidField("destination_country", "unknown country code %q; use a two-letter ISO code such as FI (EL for Greece)", in.DestinationCountry)
	}
	if in.Ukraine && t.Ukraine == nil {
		return c, apperr.RuleField("UA-SCOPE", "ukraine", "the Ukraine exception applies only to projects of the 2021, 2022 and 2023 calls; this project is of call year %d", t.CallYear)
	}
	if !in.Ukraine && in.UkraineLinguisticCents > 0 {
		return c, apperr.InvalidField("ukraine_linguistic_cents", "linguistic support against receipts is paid only under the Ukraine exception")
	}
	if in.InclusionCents > 0 && !in.FewerOpportunities && !in.Ukraine {
		return c, apperr.InvalidField("inclusion_cents", "inclusion support is paid for participants with fewer opportunities (or under the Ukraine exception); mark the participant or leave the amount empty")
	}
	if in.Accompanying && in.CourseFeeDays > 0 {
		return c, apperr.InvalidField("course_fee_days", "accompanying persons get no course fees")
	}
	if _, err := t.courseFeeLimit(c); err != nil {
		return c, err
	}
	if err := t.checkLinguistic(c); err != nil {
		return c, err
	}
	return c, nil
}

// checkAmounts refuses negative numbers.
func checkAmounts(in MobilityInput) error {
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"distance_km", int64(in.DistanceKm)},
		{"travel_days", int64(in.TravelDays)},
		{"course_fee_days", int64(in.CourseFeeDays)},
		{"real_travel_cost_cents", in.RealTravelCostCents},
		{"ukraine_linguistic_cents", in.UkraineLinguisticCents},
		{"inclusion_cents", in.InclusionCents},
		{"prior_course_fee_days", int64(in.PriorCourseFeeDays)},
		{"prior_ukraine_linguistic_cents", in.PriorUkraineLinguisticCents},
		{"prior_participants", int64(in.PriorParticipants)},
	} {
		if f.v < 0 {
			return apperr.InvalidField(f.name, "must be 0 or more, not %d", f.v)
		}
	}
	return nil
}

// checkDuration applies the activity's duration rule; accompanying persons
// may stay for part of the activity (1 day to the activity's maximum).
func checkDuration(c calc) error {
	if !c.in.Accompanying {
		return catalog.ValidateDuration(c.act.Code, c.days)
	}
	if c.act.Bounded() && c.days > c.act.MaxDays {
		return apperr.Rule(c.act.Rule, "an accompanying person of %s stays at most %d days; this one stays %d", c.act.Name, c.act.MaxDays, c.days)
	}
	return nil
}

func (t *Table) preparePrepVisit(c calc) error {
	in := c.in
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"travel_days", in.TravelDays > 0},
		{"course_fee_days", in.CourseFeeDays > 0},
		{"real_travel_cost_cents", in.RealTravelCostCents > 0},
		{"ukraine_linguistic_cents", in.UkraineLinguisticCents > 0},
		{"inclusion_cents", in.InclusionCents > 0},
		{"accompanying", in.Accompanying},
		{"linguistic_support", in.LinguisticSupport},
	} {
		if f.set {
			return apperr.InvalidField(f.name, "a preparatory visit is paid as one unit cost per person that covers travel and stay; leave %s empty", f.name)
		}
	}
	if c.persons > t.PreparatoryVisit.MaxPersons {
		return apperr.RuleField("BUD-PREP-VISIT", "persons", "a preparatory visit is funded for at most %d persons; this one has %d", t.PreparatoryVisit.MaxPersons, c.persons)
	}
	return catalog.ValidateDuration(c.act.Code, c.days)
}

package aggregates

import (
	"sort"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// ka122MaxMobilities is the KA122-MAX-MOB limit of participants.
const ka122MaxMobilities = 30

// uaPupilMaxAge is the age a pupil under the Ukraine exception is under on
// the mobility's start date (UA-ELIG-PUPIL).
const uaPupilMaxAge = 18

// assessed is a mobility that passed every rule, with its computed grant.
type assessed struct {
	m        Mobility
	days     int
	distance int
	grant    GrantBreakdown
}

func (d *Domain) decideReport(ctx Context, p Portfolio, pr Project, c ReportMobility) (Event, error) {
	if err := requireMobilityProject(pr, "reporting a mobility"); err != nil {
		return nil, err
	}
	if pr.isLean() {
		// A new ID for certain, and figures that answer every rule, or the
		// full facts decide.
		if pr.mayHaveMobility(c.MobilityID) || pr.claimsInexact || pr.sumsInexact {
			return nil, needFacts(pr.ID)
		}
	} else if _, dup := pr.facts[c.MobilityID]; dup {
		return nil, duplicate("mobility_id", "mobility %s is already reported in project %s; correct it instead", c.MobilityID, pr.ID)
	}
	a, err := d.assess(ctx, p, pr, c.Mobility, mobilityFacts{cancelled: true})
	if err != nil {
		return nil, err
	}
	return MobilityReported{ProjectID: pr.ID, OID: pr.OID, Action: pr.Action, CallYear: pr.CallYear, Mobility: a.m,
		Days: a.days, DistanceKm: a.distance, Grant: a.grant, ReportedOn: today(ctx)}, nil
}

func (d *Domain) decideCorrect(ctx Context, p Portfolio, pr Project, c CorrectMobility) (Event, error) {
	if err := requireMobilityProject(pr, "correcting a mobility"); err != nil {
		return nil, err
	}
	if err := leanMobility(pr, c.MobilityID); err != nil {
		return nil, err
	}
	of, ok := pr.facts[c.MobilityID]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "mobility %s not found in project %s", c.MobilityID, pr.ID)
	}
	if of.cancelled {
		return nil, lifecycle("LIFE-ORDER", "mobility %s of project %s is cancelled; report a new mobility instead of correcting it", c.MobilityID, pr.ID)
	}
	old := pr.Mobilities[c.MobilityID]
	a, err := d.assess(ctx, p, pr, c.Mobility, of)
	if err != nil {
		return nil, err
	}
	a.m = keepSealed(a.m, old.Mobility)
	return MobilityCorrected{ProjectID: pr.ID, OID: pr.OID, Action: pr.Action, CallYear: pr.CallYear, Mobility: a.m,
		Days: a.days, DistanceKm: a.distance, Grant: a.grant, PreviousTotalCents: old.Grant.TotalCents,
		Reason: strings.TrimSpace(c.Reason), CorrectedOn: today(ctx)}, nil
}

func decideCancel(ctx Context, pr Project, c CancelMobility) (Event, error) {
	if err := requireMobilityProject(pr, "cancelling a mobility"); err != nil {
		return nil, err
	}
	if err := leanMobility(pr, c.MobilityID); err != nil {
		return nil, err
	}
	f, ok := pr.facts[c.MobilityID]
	if !ok {
		return nil, apperr.New(apperr.NotFound, "mobility %s not found in project %s", c.MobilityID, pr.ID)
	}
	if f.cancelled {
		return nil, lifecycle("LIFE-ORDER", "mobility %s of project %s is already cancelled", c.MobilityID, pr.ID)
	}
	return MobilityCancelled{ProjectID: pr.ID, OID: pr.OID, MobilityID: c.MobilityID, ParticipantID: f.participantID,
		CancelledCents: f.totalCents, Reason: strings.TrimSpace(c.Reason), CancelledOn: today(ctx)}, nil
}

// leanMobility is the answer of a compact project to a command on its
// mobility id: not found (certain when its hash is absent), or the full
// facts decide. Nil for a project that keeps its facts.
func leanMobility(pr Project, id string) error {
	if !pr.isLean() {
		return nil
	}
	if !pr.mayHaveMobility(id) {
		return apperr.New(apperr.NotFound, "mobility %s not found in project %s", id, pr.ID)
	}
	return needFacts(pr.ID)
}

// requireMobilityProject checks the project's state and action for
// mobility reporting (LIFE-*, MOB-ACTION).
func requireMobilityProject(pr Project, what string) error {
	if err := requireOpen(pr, what, true); err != nil {
		return err
	}
	if !pr.AgreementSigned {
		return lifecycle("LIFE-ORDER", "project %s is %s; mobilities are reported on approved projects with a signed grant agreement", pr.ID, pr.Status)
	}
	if !IsMobilityAction(pr.Action) && pr.Action != ActionKA202 {
		return lifecycle("MOB-ACTION", "project %s is a %s partnership funded as a whole; mobilities are reported one by one only in KA121, KA122 and KA202 projects", pr.ID, pr.Action)
	}
	return nil
}

// assess checks every rule on mobility m of project pr (replacing old,
// which is a cancelled record for a new report) and computes its grant.
func (d *Domain) assess(ctx Context, p Portfolio, pr Project, m Mobility, old mobilityFacts) (assessed, error) {
	m = normaliseMobility(m)
	act, _ := catalog.ActivityByCode(m.Activity)
	m.Activity = act.Code
	if (pr.Action == ActionKA202) != (act.Code == catalog.CodeKA202StaffEvent) {
		return assessed{}, apperr.RuleField("MOB-ACTION", "activity", "%s projects report %s; activity %s does not belong to a %s project",
			pr.Action, map[bool]string{true: "short-term joint staff training events (" + catalog.CodeKA202StaffEvent + ")", false: "KA1 mobility activities"}[pr.Action == ActionKA202], act.Code, pr.Action)
	}
	if IsMobilityAction(pr.Action) && !act.FitsField(pr.Field) {
		return assessed{}, apperr.RuleField("ACTION-FIELD", "activity", "a %s project in %s holds staff activities and the learner activities of its field (%s); %s (%s) belongs to %s projects",
			pr.Action, fieldName(pr.Field), learnerActivities(pr.Field), act.Code, act.Name, fieldName(act.Field()))
	}
	if err := checkSendingMember(p, pr, m); err != nil {
		return assessed{}, err
	}
	if err := checkPersonalInput(p, m); err != nil {
		return assessed{}, err
	}
	day := today(ctx)
	if m.EndDate.After(day) {
		return assessed{}, apperr.RuleField("MOB-COMPLETED", "end_date", "a mobility is reported once it has ended; this one ends on %s, after %s", m.EndDate, day)
	}
	if m.StartDate.Before(pr.StartDate) || m.EndDate.After(pr.EndDate) {
		field := "start_date"
		if !m.StartDate.Before(pr.StartDate) {
			field = "end_date"
		}
		return assessed{}, apperr.RuleField("MOB-IN-PROJECT", field, "a mobility falls inside its project's duration %s to %s; this one runs %s to %s", pr.StartDate, pr.EndDate, m.StartDate, m.EndDate)
	}
	days := DaysInclusive(m.StartDate, m.EndDate)
	if err := checkActivityDuration(act, m, days); err != nil {
		return assessed{}, err
	}
	t, err := d.table(pr.CallYear)
	if err != nil {
		return assessed{}, err
	}
	if err := checkActivityExtras(t, act, m, days); err != nil {
		return assessed{}, err
	}
	if err := checkDestination(pr, m); err != nil {
		return assessed{}, err
	}
	if m.Ukraine != nil {
		if err := checkUkraine(pr, m, days); err != nil {
			return assessed{}, err
		}
	}
	if pr.Action == ActionKA122 {
		rec := mobilityFacts{activity: m.Activity, accompanying: m.Accompanying}
		if rec.countsTowardKA122Max() && !old.countsTowardKA122Max() && pr.CountedMobilities+1 > ka122MaxMobilities {
			return assessed{}, apperr.Rule("KA122-MAX-MOB", "a KA122 project has at most %d mobilities (preparatory visits and accompanying persons do not count); project %s already has %d",
				ka122MaxMobilities, pr.ID, pr.CountedMobilities)
		}
	}
	distance := m.DistanceKm
	if distance == 0 && m.Origin != nil && m.Destination != nil {
		distance = rates.DistanceKm(m.Origin.Lat, m.Origin.Lon, m.Destination.Lat, m.Destination.Lon)
	}
	grant, err := grantOf(t, pr, m, distance)
	if err != nil {
		return assessed{}, err
	}
	if err := checkSupportClaims(pr, m, grant); err != nil {
		return assessed{}, err
	}
	// Saturating sums: a total that history made absurd stays absurd (and
	// leaves no room under the cap) instead of wrapping round.
	before := pr.ReportedCents
	if !old.cancelled {
		before = money.SatSub(before, countedCents(old.totalCents))
	}
	if money.SatAdd(before, grant.TotalCents) > pr.AwardedCents {
		return assessed{}, apperr.Rule("BUD-GRANT-CAP", "the reported amounts never exceed the awarded grant of %s; %s is already reported and this mobility's grant is %s, so %s remain",
			euros(pr.AwardedCents), euros(before), euros(grant.TotalCents), euros(max(money.SatSub(pr.AwardedCents, before), 0)))
	}
	return assessed{m: m, days: days, distance: distance, grant: grant}, nil
}

func normaliseMobility(m Mobility) Mobility {
	m.SendingCountry = catalog.NormaliseCountry(m.SendingCountry)
	m.ReceivingCountry = catalog.NormaliseCountry(m.ReceivingCountry)
	m.Personal.Nationality = catalog.NormaliseCountry(m.Personal.Nationality)
	m.SendingOrganisation = strings.TrimSpace(m.SendingOrganisation)
	m.ReceivingOrganisation = strings.TrimSpace(m.ReceivingOrganisation)
	m.ReceivingCity = strings.TrimSpace(m.ReceivingCity)
	if u := m.Ukraine; u != nil {
		c := *u
		c.Documents = append([]string(nil), u.Documents...)
		m.Ukraine = &c
	}
	return m
}

// rateFields maps the calculator's field names to the command's.
var rateFields = map[string]string{
	"start": "start_date", "end": "end_date", "destination_country": "receiving_country",
	"ukraine_linguistic_cents": "ukraine.linguistic_cents",
}

// rateError returns the calculator's error with the command's field names.
func rateError(err error) error {
	ae := apperr.As(err)
	if f, ok := rateFields[ae.Field]; ok {
		c := *ae
		c.Field = f
		return &c
	}
	return ae
}

// checkActivityDuration enforces the activity's duration (ACT-*); an accompanying
// person may stay for part of the activity, so only the maximum applies.
func checkActivityDuration(act catalog.Activity, m Mobility, days int) error {
	if !m.Accompanying {
		if err := catalog.ValidateDuration(act.Code, days); err != nil {
			return apperr.As(err)
		}
		return nil
	}
	if act.Bounded() && days > act.MaxDays {
		return apperr.RuleField(act.Rule, "end_date", "an accompanying person of %s stays at most %d days; this one stays %d", strings.ToLower(act.Name), act.MaxDays, days)
	}
	return nil
}

// checkActivityExtras enforces the activity rules besides the duration:
// ACT-PREP-VISIT persons, ACT-COURSE fee days, ACT-PUPIL-GROUP groups.
func checkActivityExtras(t *rates.Table, act catalog.Activity, m Mobility, days int) error {
	if act.Rule == "ACT-PREP-VISIT" {
		if limit := t.PreparatoryVisit.MaxPersons; m.Persons > limit {
			return apperr.RuleField("ACT-PREP-VISIT", "persons", "a preparatory visit takes at most %d persons; this one has %d", limit, m.Persons)
		}
	} else if m.Persons > 1 {
		return apperr.InvalidField("persons", "persons counts the members of a preparatory visit; a %s mobility is reported per participant", act.Code)
	}
	if m.CourseFeeDays > 0 {
		if act.CourseFeeMaxDays == 0 {
			return apperr.RuleField("ACT-COURSE", "course_fee_days", "course fees are paid for staff courses and training (%s) only; %s gets none", catalog.CodeCourse, act.Code)
		}
		if m.CourseFeeDays > act.CourseFeeMaxDays || m.CourseFeeDays > days {
			return apperr.RuleField(act.Rule, "course_fee_days", "course fees are paid for at most %d days and not beyond the %d days of the course; %d days were claimed", act.CourseFeeMaxDays, days, m.CourseFeeDays)
		}
	}
	if act.Group && act.Code != catalog.CodeKA202StaffEvent && m.GroupID == "" {
		return apperr.RuleField(act.Rule, "group_id", "%s is at least 2 learners with an accompanying person, tied together by a group_id; this mobility has none", strings.ToLower(act.Name))
	}
	return nil
}

// checkDestination enforces the country rules of a mobility: MOB-ABROAD
// (UA-VENUE), KA122-NO-PARTNER-COUNTRY (CTRY-UK), CTRY-PROGRAMME for KA202;
// KA121 may go anywhere (KA121-GLOBAL).
func checkDestination(pr Project, m Mobility) error {
	if m.ReceivingCountry == m.SendingCountry && m.Ukraine == nil {
		return apperr.RuleField("MOB-ABROAD", "receiving_country", "a mobility crosses a border: it is sent from %s and received in %s; only the Ukraine exception allows a mobility within one country", m.SendingCountry, m.ReceivingCountry)
	}
	switch pr.Action {
	case ActionKA122:
		if !catalog.IsProgrammeCountry(m.ReceivingCountry, pr.CallYear) {
			rule := countryRule("KA122-NO-PARTNER-COUNTRY", m.ReceivingCountry, pr.CallYear)
			return apperr.RuleField(rule, "receiving_country", "KA122 mobilities go only to programme countries; %s is a partner country for call %d", m.ReceivingCountry, pr.CallYear)
		}
	case ActionKA202:
		if !catalog.IsProgrammeCountry(m.ReceivingCountry, pr.CallYear) {
			return apperr.RuleField("CTRY-PROGRAMME", "receiving_country", "KA202 training events take place in programme countries; %s is a partner country for call %d", m.ReceivingCountry, pr.CallYear)
		}
	}
	return nil
}

// checkUkraine enforces the rules of a mobility under the Ukraine exception.
func checkUkraine(pr Project, m Mobility, days int) error {
	u := m.Ukraine
	if !pr.UkraineApplied {
		return apperr.RuleField("UA-SCOPE", "ukraine", "the national office has not applied the Ukraine exception to project %s; its mobilities may use it once it is applied", pr.ID)
	}
	check := func() error {
		return catalog.ValidateUkraineActivity(m.Activity, u.Category, u.RightToStudy, u.PreparatoryOffered, days)
	}
	if contains(pr.UkraineActivities, m.Activity) {
		// Accepted by the office beyond the examples: the general rules
		// of the activity apply (its duration is checked already).
		check = func() error {
			return catalog.ValidateUkraineCategory(m.Activity, u.Category, u.RightToStudy, u.PreparatoryOffered)
		}
	}
	if err := check(); err != nil {
		ae := apperr.As(err)
		if ae.Code == apperr.Invalid {
			return ae.WithField("ukraine")
		}
		return ae
	}
	other := strings.TrimSpace(u.OtherDocument) != ""
	switch u.Category {
	case UkrainePupil:
		b := m.Personal.BirthDate
		if b.IsZero() {
			return apperr.RuleField("UA-ELIG-PUPIL", "personal.birth_date", "a pupil under the Ukraine exception must be under %d on the start date; give the birth date", uaPupilMaxAge)
		}
		if !m.StartDate.Before(b.AddMonths(12 * uaPupilMaxAge)) {
			return apperr.RuleField("UA-ELIG-PUPIL", "personal.birth_date", "a pupil under the Ukraine exception is of compulsory-school age, under %d on the start date; born %s, the pupil turned %d on %s, on or before the start %s",
				uaPupilMaxAge, b, uaPupilMaxAge, b.AddMonths(12*uaPupilMaxAge), m.StartDate)
		}
		if !other && !anyOf(u.Documents, PupilEvidence()) {
			return apperr.RuleField("UA-EVIDENCE", "ukraine.documents", "a pupil's eligibility is checked from documents; record at least one of %s, or describe a different document in ukraine.other_document", strings.Join(PupilEvidence(), ", "))
		}
	case UkraineStaff:
		if !u.WorkedInUkraine && !u.SuitableEducation {
			return apperr.RuleField("UA-ELIG-STAFF", "ukraine", "staff under the Ukraine exception worked in a general-education organisation in Ukraine during the Russian invasion, or has suitable education; neither is recorded")
		}
		if !other && !anyOf(u.Documents, StaffEvidence()) {
			return apperr.RuleField("UA-EVIDENCE", "ukraine.documents", "a staff member's eligibility is checked from documents; record at least one of %s, or describe a different document in ukraine.other_document", strings.Join(StaffEvidence(), ", "))
		}
	case UkraineInvitedExpert:
		if !u.ExpertiseMatchesHost {
			return apperr.RuleField("UA-ELIG-STAFF", "ukraine.expertise_matches_host", "an invited expert under the Ukraine exception has expertise matching the host's needs; it is not recorded")
		}
		if !other && !anyOf(u.Documents, StaffEvidence()) {
			return apperr.RuleField("UA-EVIDENCE", "ukraine.documents", "an invited expert's eligibility is checked from documents; record at least one of %s, or describe a different document in ukraine.other_document", strings.Join(StaffEvidence(), ", "))
		}
	}
	if !u.ReceivingSignature && !u.LearningAgreement {
		return apperr.RuleField("UA-PROOF", "ukraine.receiving_signature", "a mobility under the Ukraine exception is proved by the receiving organisation's signature (or a learning agreement signed by the participant); neither is recorded")
	}
	return nil
}

func anyOf(have, allowed []string) bool {
	for _, h := range have {
		if contains(allowed, h) {
			return true
		}
	}
	return false
}

// grantOf computes the mobility's grant with the project's call-year rates.
func grantOf(t *rates.Table, pr Project, m Mobility, distance int) (GrantBreakdown, error) {
	in := rates.MobilityInput{
		Activity: m.Activity, Start: m.StartDate.Time(), End: m.EndDate.Time(), DestinationCountry: m.ReceivingCountry,
		DistanceKm: distance, Green: m.GreenTravel, TravelDays: m.TravelDays, FewerOpportunities: m.FewerOpportunities,
		Accompanying: m.Accompanying, CourseFeeDays: m.CourseFeeDays, RealTravelCostCents: m.RealTravelCostCents,
		InclusionCents: m.InclusionCents, Persons: max(m.Persons, 1), LinguisticSupport: m.LinguisticSupport,
	}
	in.PriorCourseFeeDays, in.PriorUkraineLinguisticCents = participantClaims(pr, m)
	in.PriorParticipants = participantsBefore(pr, m)
	if m.Ukraine != nil {
		in.Ukraine = true
		in.UkraineLinguisticCents = m.Ukraine.LinguisticCents
	}
	b, err := t.Calculate(in)
	if err != nil {
		return GrantBreakdown{}, rateError(err)
	}
	out := GrantBreakdown{CallYear: pr.CallYear, TotalCents: b.TotalCents, Lines: make([]GrantLine, len(b.Lines))}
	for i, l := range b.Lines {
		out.Lines[i] = GrantLine{Category: l.Category, Rule: l.Rule, Explanation: l.Explanation, AmountCents: l.AmountCents}
	}
	return out, nil
}

// checkPupilGroups enforces ACT-PUPIL-GROUP and ACT-ADULT-GROUP on the
// whole project at the final report: every group of pupils or adult
// learners has at least 2 learners and is accompanied.
func checkPupilGroups(pr Project) error {
	type group struct {
		act                  catalog.Activity
		pupils, accompanying int
	}
	groups := map[string]*group{}
	for _, id := range sortedMobilityIDs(pr) {
		f := pr.facts[id]
		act, _ := catalog.ActivityByCode(f.activity)
		if f.cancelled || !act.Group || act.Code == catalog.CodeKA202StaffEvent {
			continue
		}
		key := act.Code + "/" + f.groupID
		g := groups[key]
		if g == nil {
			g = &group{act: act}
			groups[key] = g
		}
		if f.accompanying {
			g.accompanying++
		} else {
			g.pupils++
		}
	}
	ids := make([]string, 0, len(groups))
	for id := range groups {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		g := groups[id]
		if g.pupils < 2 || g.accompanying < 1 {
			_, name, _ := strings.Cut(id, "/")
			return apperr.Rule(g.act.Rule, "%s is at least 2 learners with an accompanying person; group %s has %d learners and %d accompanying persons", strings.ToLower(g.act.Name), name, g.pupils, g.accompanying)
		}
	}
	return nil
}

// sortedMobilityIDs lists the project's mobility IDs in order, so that
// decisions that scan mobilities are deterministic.
func sortedMobilityIDs(pr Project) []string {
	ids := make([]string, 0, len(pr.facts))
	for id := range pr.facts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

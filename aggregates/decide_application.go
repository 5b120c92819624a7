package aggregates

import (
	"fmt"
	"sort"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// Programme periods (PRG-PERIOD).
const (
	programmeFirstYear = 2021
	programmeLastYear  = 2027
	legacyFirstYear    = 2014
	legacyLastYear     = 2020
)

// ka122MaxProjectsDefault is the rulebook's limit of KA122-MAX-PROJECTS.
const ka122MaxProjectsDefault = 3

func (d *Domain) decideSubmit(ctx Context, p Portfolio, c SubmitApplication) (Event, error) {
	if err := requireRegistered(p); err != nil {
		return nil, err
	}
	if _, dup := p.Projects[c.ProjectID]; dup {
		return nil, duplicate("project_id", "project %s already exists", c.ProjectID)
	}
	if err := checkPeriod(c.Action, c.CallYear); err != nil {
		return nil, err
	}
	if IsMobilityAction(c.Action) && !contains(mobilityFields(), c.Field) {
		return nil, apperr.RuleField("ACTION-FIELD", "field", "a %s project belongs to one field: %s; %q is not one of them",
			c.Action, strings.Join(mobilityFields(), ", "), c.Field)
	}
	if err := d.checkDeadline(ctx, c); err != nil {
		return nil, err
	}
	if err := checkDuration(c.Action, c.StartDate, c.EndDate, false); err != nil {
		return nil, err
	}
	partners := make([]Partner, len(c.Partners))
	for i, pa := range c.Partners {
		pa.Country = catalog.NormaliseCountry(pa.Country)
		pa.Name = strings.TrimSpace(pa.Name)
		partners[i] = pa
	}
	if err := checkPartners(c.Action, c.CallYear, p.Organisation.Country, partners); err != nil {
		return nil, err
	}
	if err := checkAccreditation(ctx, p, c); err != nil {
		return nil, err
	}
	if err := d.checkLumpSum(c.Action, c.CallYear, c.RequestedCents, "requested_cents"); err != nil {
		return nil, err
	}
	wps, err := d.checkWorkPackages(c)
	if err != nil {
		return nil, err
	}
	return ApplicationSubmitted{
		ProjectID: c.ProjectID, OID: c.OID, Action: c.Action, Field: c.Field, CallYear: c.CallYear, Round: c.Round,
		Consortium: c.Consortium, Title: strings.TrimSpace(c.Title), Partners: partners,
		StartDate: c.StartDate, EndDate: c.EndDate, RequestedCents: c.RequestedCents, WorkPackages: wps,
		ApplicantCountry: p.Organisation.Country, SubmittedOn: today(ctx),
		InclusionSupportCents: c.InclusionSupportCents, ExceptionalCostsCents: c.ExceptionalCostsCents,
		SupportJustification: strings.TrimSpace(c.SupportJustification),
	}, nil
}

// checkPeriod enforces PRG-PERIOD: KA202 belongs to 2014-2020, the other
// actions to 2021-2027.
func checkPeriod(action string, callYear int) error {
	if action == ActionKA202 {
		if callYear < legacyFirstYear || callYear > legacyLastYear {
			return apperr.RuleField("PRG-PERIOD", "call_year", "KA202 strategic partnerships belong to the 2014-2020 programme; call year %d is outside it", callYear)
		}
		return nil
	}
	if callYear < programmeFirstYear || callYear > programmeLastYear {
		return apperr.RuleField("PRG-PERIOD", "call_year", "%s belongs to the 2021-2027 programme; call year %d is outside it", action, callYear)
	}
	return nil
}

// checkDeadline enforces CALL-DEADLINE at the effective time.
func (d *Domain) checkDeadline(ctx Context, c SubmitApplication) error {
	table := d.deadlines()
	dl, ok := findDeadline(table, c.Action, c.Field, c.CallYear, c.Round)
	if !ok {
		rounds := roundsOf(table, c.Action, c.Field, c.CallYear)
		if len(rounds) == 0 {
			return apperr.RuleField("CALL-DEADLINE", "call_year", "call %d has no round for %s in the field %s in the deadline table", c.CallYear, c.Action, c.Field)
		}
		return apperr.RuleField("CALL-DEADLINE", "round", "call %d has no round %d for %s in the field %s; its rounds are %s", c.CallYear, c.Round, c.Action, c.Field, intsList(rounds))
	}
	if ctx.Now.After(dl.At()) {
		return apperr.Rule("CALL-DEADLINE", "the deadline of %s call %d round %d was %s 12:00 Brussels time; this application was received at %s, after it",
			c.Action, c.CallYear, c.Round, dl.Day, ctx.Now.In(brussels).Format("2006-01-02 15:04:05 MST"))
	}
	if (!dl.StartFrom.IsZero() && c.StartDate.Before(dl.StartFrom)) || (!dl.StartTo.IsZero() && c.StartDate.After(dl.StartTo)) {
		return apperr.RuleField("CALL-START", "start_date", "the projects of %s call %d round %d start %s; this one starts on %s",
			c.Action, c.CallYear, c.Round, startWindow(dl), c.StartDate)
	}
	return nil
}

// startWindow renders a round's start window for messages.
func startWindow(dl Deadline) string {
	switch {
	case dl.StartFrom.IsZero():
		return "on or before " + dl.StartTo.String()
	case dl.StartTo.IsZero():
		return "on or after " + dl.StartFrom.String()
	}
	return "between " + dl.StartFrom.String() + " and " + dl.StartTo.String()
}

func intsList(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// durationLimit is the allowed project duration of an action in months.
type durationLimit struct {
	rule          string
	min, max      int
	amendedMax    int
	allowAmendMax bool
}

var durations = map[string]durationLimit{
	ActionKA121: {rule: "KA121-DURATION", min: 0, max: 15, amendedMax: 24, allowAmendMax: true},
	ActionKA122: {rule: "KA122-DURATION", min: 6, max: 18},
	ActionKA210: {rule: "KA210-DURATION", min: 6, max: 24},
	ActionKA220: {rule: "KA220-DURATION", min: 12, max: 36},
	ActionKA202: {rule: "KA202-SP", min: 12, max: 36},
}

// checkDuration enforces the action's duration rule on start..end; an
// amendment may use the longer limit some actions allow.
func checkDuration(action string, start, end Date, amended bool) error {
	lim, ok := durations[action]
	if !ok {
		return apperr.InvalidField("action", "unknown action %q", action)
	}
	max := lim.max
	if amended && lim.allowAmendMax {
		max = lim.amendedMax
	}
	if lim.min > 0 && end.Before(MonthsEnd(start, lim.min)) {
		return apperr.RuleField(lim.rule, "end_date", "%s lasts %s months; %s to %s is shorter (it would have to end on %s or later)",
			action, monthsRange(lim.min, max), start, end, MonthsEnd(start, lim.min))
	}
	if end.After(MonthsEnd(start, max)) {
		what := fmt.Sprintf("%s lasts %s months", action, monthsRange(lim.min, max))
		if lim.allowAmendMax && !amended {
			what = fmt.Sprintf("a %s grant covers %d months (up to %d by amendment)", action, lim.max, lim.amendedMax)
		}
		return apperr.RuleField(lim.rule, "end_date", "%s; %s to %s is longer (it must end on %s at the latest)",
			what, start, end, MonthsEnd(start, max))
	}
	return nil
}

func monthsRange(min, max int) string {
	if min == 0 {
		return fmt.Sprintf("at most %d", max)
	}
	return fmt.Sprintf("%d to %d", min, max)
}

// checkPartners enforces KA210-PARTNERS, KA220-PARTNERS and the
// partnership part of KA202-SP. The applicant counts as an organisation
// of the partnership.
func checkPartners(action string, callYear int, applicantCountry string, partners []Partner) error {
	var rule string
	var min int
	switch action {
	case ActionKA210:
		rule, min = "KA210-PARTNERS", 2
	case ActionKA220:
		rule, min = "KA220-PARTNERS", 3
	case ActionKA202:
		rule, min = "KA202-SP", 3
	default:
		return nil
	}
	if action == ActionKA210 {
		for i, pa := range partners {
			if !catalog.IsProgrammeCountry(pa.Country, callYear) {
				return apperr.RuleField(countryRule(rule, pa.Country, callYear), idx("partners", i)+".country",
					"KA210 takes no partner from outside the programme countries; %s is in %s, a partner country for call %d", pa.Name, pa.Country, callYear)
			}
		}
	}
	orgs := 0
	countries := map[string]bool{}
	if catalog.IsProgrammeCountry(applicantCountry, callYear) {
		orgs++
		countries[applicantCountry] = true
	}
	for _, pa := range partners {
		if pa.Role == RoleFullPartner && catalog.IsProgrammeCountry(pa.Country, callYear) {
			orgs++
			countries[pa.Country] = true
		}
	}
	if orgs < min || len(countries) < min {
		list := make([]string, 0, len(countries))
		for c := range countries {
			list = append(list, c)
		}
		sort.Strings(list)
		return apperr.RuleField(rule, "partners", "%s needs at least %d organisations (applicant and full partners) from %d different programme countries; this application has %d from %d (%s)",
			action, min, min, orgs, len(countries), strings.Join(list, ", "))
	}
	return nil
}

// countryRule picks CTRY-UK for the UK after 2020, else rule.
func countryRule(rule, country string, callYear int) string {
	if catalog.NormaliseCountry(country) == "UK" && callYear > catalog.UKProgrammeUntil {
		return "CTRY-UK"
	}
	return rule
}

// checkAccreditation enforces KA121-ACCREDITED, KA122-NOT-ACCREDITED and
// CALL-ONE-PER-ROUND on the organisation's portfolio.
func checkAccreditation(ctx Context, p Portfolio, c SubmitApplication) error {
	day := today(ctx)
	switch c.Action {
	case ActionKA121:
		a, ok := p.Organisation.AccreditedIn(c.Field, day)
		if !ok {
			return apperr.RuleField("KA121-ACCREDITED", "action", "KA121 is only for organisations holding a valid Erasmus accreditation in the field; %s holds none in %s on %s (apply for KA122 instead)", p.OID, c.Field, day)
		}
		if c.Consortium {
			if _, ok := p.Organisation.ConsortiumAccreditedIn(c.Field, day); !ok {
				return apperr.RuleField("KA121-ACCREDITED", "consortium", "a KA121 consortium application needs a consortium accreditation; accreditation %s of %s is for a single organisation", a.ID, p.OID)
			}
		}
		for _, o := range p.Projects {
			if o.Action == ActionKA121 && o.Field == c.Field && o.CallYear == c.CallYear && o.Status != StatusWithdrawn {
				return apperr.RuleField("KA121-ACCREDITED", "call_year", "one KA121 application a year covers all mobility activities of the field; %s already applied for call %d in %s (project %s)", p.OID, c.CallYear, c.Field, o.ID)
			}
		}
	case ActionKA122:
		if c.Consortium {
			return apperr.RuleField("KA122-NOT-ACCREDITED", "consortium", "KA122 is refused to consortia; apply as a single organisation")
		}
		if a, ok := p.Organisation.AccreditedIn(c.Field, day); ok {
			return apperr.RuleField("KA122-NOT-ACCREDITED", "action", "KA122 is refused to organisations accredited in the field; %s holds accreditation %s in %s, so it applies for KA121", p.OID, a.ID, c.Field)
		}
		for _, o := range p.Projects {
			if o.Action == ActionKA122 && o.CallYear == c.CallYear && o.Round == c.Round && o.Status != StatusWithdrawn {
				return apperr.RuleField("CALL-ONE-PER-ROUND", "round", "an organisation submits at most one KA122 application per round; %s already submitted %s in call %d round %d", p.OID, o.ID, c.CallYear, c.Round)
			}
		}
	default:
		if c.Consortium {
			return apperr.InvalidField("consortium", "only KA121 applications are made by a consortium")
		}
	}
	return nil
}

// checkLumpSum enforces KA210-LUMP and KA220-LUMP: the amount must be one
// of the lump sums of the call year's rates table (none listed: the action
// is not funded by lump sum that year, e.g. KA220 in 2021).
func (d *Domain) checkLumpSum(action string, callYear int, cents int64, field string) error {
	if action != ActionKA210 && action != ActionKA220 {
		return nil
	}
	t, err := d.table(callYear)
	if err != nil {
		return err
	}
	sums := t.LumpSums(action)
	if len(sums) == 0 {
		return nil
	}
	for _, s := range sums {
		if s == cents {
			return nil
		}
	}
	names := make([]string, len(sums))
	for i, s := range sums {
		names[i] = euros(s)
	}
	return apperr.RuleField(action+"-LUMP", field, "%s of call %d is funded by a lump sum of %s; %s is not one of them", action, callYear, strings.Join(names, " or "), euros(cents))
}

func decideWithdrawApplication(ctx Context, pr Project) (Event, error) {
	switch pr.Status {
	case StatusSubmitted, StatusEligible, StatusReserve:
	default:
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; an application can be withdrawn only before the award decision", pr.ID, pr.Status)
	}
	return ApplicationWithdrawn{ProjectID: pr.ID, OID: pr.OID, WithdrawnOn: today(ctx)}, nil
}

func decideEligibility(ctx Context, pr Project, c AssessEligibility) (Event, error) {
	if pr.Status != StatusSubmitted {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; eligibility is assessed once, on a submitted application", pr.ID, pr.Status)
	}
	return EligibilityAssessed{ProjectID: pr.ID, OID: pr.OID, Outcome: c.Outcome, Note: strings.TrimSpace(c.Note), AssessedOn: today(ctx)}, nil
}

func (d *Domain) decideApplication(ctx Context, p Portfolio, pr Project, c DecideApplication) (Event, error) {
	switch {
	case pr.Status == StatusEligible:
	case pr.Status == StatusReserve && c.Outcome != OutcomeReserve:
	default:
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; the award decision is taken on an eligible application (or one on the reserve list)", pr.ID, pr.Status)
	}
	ev := ApplicationDecided{ProjectID: pr.ID, OID: pr.OID, Action: pr.Action, Field: pr.Field, CallYear: pr.CallYear,
		Round: pr.Round, Outcome: c.Outcome, DecidedOn: today(ctx)}
	if c.Outcome != OutcomeApproved {
		return ev, nil
	}
	if err := d.checkLumpSum(pr.Action, pr.CallYear, c.AwardedCents, "awarded_cents"); err != nil {
		return nil, err
	}
	if pr.Action == ActionKA122 {
		if err := d.checkKA122Projects(p, pr); err != nil {
			return nil, err
		}
	}
	ev.AwardedCents = c.AwardedCents
	ev.SupportDecided, ev.InclusionSupportCents, ev.ExceptionalCostsCents = true, c.InclusionSupportCents, c.ExceptionalCostsCents
	return ev, nil
}

// checkKA122Projects enforces KA122-MAX-PROJECTS over the window of
// Policy.KA122WindowYears.
func (d *Domain) checkKA122Projects(p Portfolio, pr Project) error {
	max := d.Policy.KA122MaxProjects
	if max <= 0 {
		max = ka122MaxProjectsDefault
	}
	granted := func(from, to int) []string {
		var ids []string
		for _, o := range p.Projects {
			if o.ID != pr.ID && o.Action == ActionKA122 && o.Approved && o.CallYear >= from && o.CallYear <= to {
				ids = append(ids, fmt.Sprintf("%s (call %d)", o.ID, o.CallYear))
			}
		}
		sort.Strings(ids)
		return ids
	}
	w := d.Policy.KA122WindowYears
	if w <= 0 {
		if ids := granted(programmeFirstYear, programmeLastYear); len(ids) >= max {
			return apperr.Rule("KA122-MAX-PROJECTS", "at most %d KA122 projects are granted to one organisation in the programme period %d-%d; %s already has %d: %s",
				max, programmeFirstYear, programmeLastYear, p.OID, len(ids), strings.Join(ids, ", "))
		}
		return nil
	}
	for from := pr.CallYear - w + 1; from <= pr.CallYear; from++ {
		if ids := granted(from, from+w-1); len(ids) >= max {
			return apperr.Rule("KA122-MAX-PROJECTS", "at most %d KA122 projects are granted to one organisation within any %d consecutive call years; %s already has %d in %d-%d: %s",
				max, w, p.OID, len(ids), from, from+w-1, strings.Join(ids, ", "))
		}
	}
	return nil
}

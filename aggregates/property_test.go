package aggregates

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/events"
	"pgregory.net/rapid"
)

// model drives random command sequences against one organisation and
// checks the invariants after every accepted command.
type model struct {
	d        *Domain
	state    Portfolio
	decided  []Event
	versions map[events.Ref]uint64
	accepted map[string]int
}

var propActivities = []string{catalog.CodeJobShadowing, catalog.CodeTeaching, catalog.CodeCourse, catalog.CodeVETShort,
	catalog.CodePrepVisit, catalog.CodePupilShort}

// randomCommand draws a command and the effective time to decide it at.
func (m *model) randomCommand(t *rapid.T) (Command, string) {
	pid := fmt.Sprintf("P%d", rapid.IntRange(0, 5).Draw(t, "project"))
	pr := m.state.Projects[pid]
	kind := rapid.IntRange(0, 19).Draw(t, "kind")
	if rapid.IntRange(0, 3).Draw(t, "follow lifecycle") > 0 {
		kind = nextKind(t, pr)
	}
	year := pr.CallYear
	if year == 0 {
		year = 2022
	}
	after := func(d Date, days int) string {
		if d.IsZero() {
			return fmt.Sprintf("%d-05-15", year)
		}
		return d.AddDays(days).String()
	}
	afterEnd := func() string {
		if pr.EndDate.IsZero() {
			return "2024-01-01"
		}
		return pr.EndDate.AddDays(1).String()
	}
	switch kind {
	case 0, 1:
		year := rapid.IntRange(2021, 2025).Draw(t, "call")
		round := rapid.IntRange(1, 2).Draw(t, "round")
		dl, _ := findDeadline(DefaultDeadlines(), ActionKA122, FieldSchool, year, round)
		start := dl.Day.AddMonths(4)
		return SubmitApplication{ProjectID: pid, OID: testOrg, Action: ActionKA122, Field: FieldSchool, CallYear: year, Round: round,
			StartDate: start, EndDate: MonthsEnd(start, rapid.IntRange(6, 18).Draw(t, "months")),
			RequestedCents: rapid.Int64Range(1_000_000, 6_000_000).Draw(t, "requested")}, dl.Day.AddDays(-3).String()
	case 2:
		return AssessEligibility{ProjectID: pid, Outcome: rapid.SampledFrom([]string{OutcomeEligible, OutcomeEligible, OutcomeIneligible}).Draw(t, "eligibility")},
			after(pr.SubmittedOn, 20)
	case 3:
		out := rapid.SampledFrom([]string{OutcomeApproved, OutcomeApproved, OutcomeReserve, OutcomeRejected}).Draw(t, "outcome")
		c := DecideApplication{ProjectID: pid, Outcome: out}
		if out == OutcomeApproved {
			c.AwardedCents = rapid.Int64Range(100_000, 5_000_000).Draw(t, "awarded")
		}
		return c, after(pr.SubmittedOn, 40)
	case 4:
		return SignGrantAgreement{ProjectID: pid}, after(pr.ApprovedOn, 5)
	case 5, 6, 7:
		return ReportMobility{ProjectID: pid, Mobility: m.randomMobility(t, pr)}, afterEnd()
	case 8:
		mob := m.randomMobility(t, pr)
		mob.MobilityID = existingMobility(t, pr, mob.MobilityID)
		return CorrectMobility{ProjectID: pid, Mobility: mob}, afterEnd()
	case 9:
		return CancelMobility{ProjectID: pid, MobilityID: existingMobility(t, pr, "M0")}, afterEnd()
	case 10:
		g := rapid.Int64Range(100_000, 5_000_000).Draw(t, "amended")
		return AmendProject{ProjectID: pid, AmendmentID: fmt.Sprintf("A%d", len(m.decided)), AwardedCents: &g, Justification: "revision"}, afterEnd()
	case 11:
		if pr.Status == StatusReportAssessed && pr.NetPaidCents != pr.FinalCents && rapid.Bool().Draw(t, "settle") {
			kind, amount := PaymentBalance, pr.FinalCents-pr.NetPaidCents
			if amount < 0 {
				kind, amount = PaymentRecovery, -amount
			}
			return RecordPayment{ProjectID: pid, PaymentID: fmt.Sprintf("PAY%d", len(m.decided)), Kind: kind, AmountCents: amount}, afterEnd()
		}
		return RecordPayment{ProjectID: pid, PaymentID: fmt.Sprintf("PAY%d", len(m.decided)),
			Kind:        rapid.SampledFrom([]string{PaymentPreFinancing, PaymentBalance, PaymentRecovery}).Draw(t, "payment"),
			AmountCents: rapid.Int64Range(1, 3_000_000).Draw(t, "amount")}, afterEnd()
	case 13:
		return RequestUkraineException{ProjectID: pid, Justification: "war"}, after(pr.ApprovedOn, 30)
	case 14:
		return DecideUkraineException{ProjectID: pid, Outcome: rapid.SampledFrom([]string{OutcomeApplied, OutcomeApplied, OutcomeRefused}).Draw(t, "ua outcome")},
			after(pr.ApprovedOn, 40)
	case 15:
		return RegisterOrganisation{OID: testOrg, LegalName: "Koulu", Country: "FI", City: "Oulu", Kind: OrgSchool}, "2021-01-01"
	case 16:
		aid := fmt.Sprintf("ACC%d", rapid.IntRange(0, 2).Draw(t, "accreditation"))
		switch rapid.IntRange(0, 2).Draw(t, "accreditation command") {
		case 0:
			return ApplyForAccreditation{OID: testOrg, AccreditationID: aid, Field: FieldSchool, Kind: AccreditationSingle,
				Plan: ErasmusPlan{FromYear: 2022, ToYear: 2027, Objectives: []Objective{{Text: "objective", Indicators: []string{"indicator"}}}}}, "2021-10-01"
		case 1:
			return DecideAccreditation{OID: testOrg, AccreditationID: aid, Outcome: OutcomeGranted}, "2022-01-01"
		}
		return WithdrawAccreditation{OID: testOrg, AccreditationID: aid, Reason: "no longer needed"}, "2022-02-01"
	case 17:
		return WithdrawApplication{ProjectID: pid, Reason: "changed plans"}, after(pr.SubmittedOn, 1)
	case 18:
		return SubmitInterimReport{ProjectID: pid, ReportID: fmt.Sprintf("R%d", len(m.decided)), Summary: "half way"}, afterEnd()
	case 19:
		return TerminateProject{ProjectID: pid, Reason: "beneficiary stopped"}, afterEnd()
	default:
		switch rapid.IntRange(0, 2).Draw(t, "closing") {
		case 0:
			return SubmitFinalReport{ProjectID: pid}, afterEnd()
		case 1:
			if rapid.Bool().Draw(t, "accept") {
				return AssessFinalReport{ProjectID: pid, Outcome: OutcomeAccepted, FinalCents: pr.ReportedCents}, afterEnd()
			}
			return AssessFinalReport{ProjectID: pid, Outcome: OutcomeReduced, FinalCents: rapid.Int64Range(0, 5_000_000).Draw(t, "final")}, afterEnd()
		}
		return CloseProject{ProjectID: pid}, afterEnd()
	}
}

// existingMobility picks a reported mobility of pr, or fallback.
func existingMobility(t *rapid.T, pr Project, fallback string) string {
	ids := sortedMobilityIDs(pr)
	if len(ids) == 0 {
		return fallback
	}
	return rapid.SampledFrom(ids).Draw(t, "existing mobility")
}

// nextKind picks the kind of command that moves project pr along its
// lifecycle, so that random runs reach the late states often.
func nextKind(t *rapid.T, pr Project) int {
	switch pr.Status {
	case "":
		return 0
	case StatusSubmitted:
		return 2
	case StatusEligible, StatusReserve:
		return 3
	case StatusApproved:
		return 4
	case StatusOngoing:
		if pr.UkraineRequested {
			return 14
		}
		return rapid.SampledFrom([]int{5, 5, 5, 5, 5, 5, 6, 6, 7, 8, 9, 10, 11, 12, 13}).Draw(t, "ongoing")
	case StatusReportLocked:
		return 12
	case StatusReportAssessed:
		return rapid.SampledFrom([]int{11, 11, 12}).Draw(t, "closing kind")
	}
	return rapid.IntRange(0, 12).Draw(t, "any")
}

func (m *model) randomMobility(t *rapid.T, pr Project) Mobility {
	code := rapid.SampledFrom(propActivities).Draw(t, "activity")
	a, _ := catalog.ActivityByCode(code)
	start := pr.StartDate
	if start.IsZero() {
		start = MustDate("2022-06-01")
	}
	start = start.AddDays(rapid.IntRange(0, 60).Draw(t, "offset"))
	days := 2
	if a.Bounded() {
		days = rapid.IntRange(a.MinDays, min(a.MaxDays, a.MinDays+20)).Draw(t, "days")
	}
	mob := with(jobShadow(fmt.Sprintf("M%d", rapid.IntRange(0, 40).Draw(t, "mobility"))), func(x *Mobility) {
		x.Activity, x.StartDate, x.EndDate = code, start, start.AddDays(days-1)
		x.DistanceKm = rapid.IntRange(10, 3500).Draw(t, "km")
		x.GreenTravel = rapid.Bool().Draw(t, "green")
		x.TravelDays = rapid.IntRange(0, 2).Draw(t, "travel days")
		x.Accompanying = code == catalog.CodePupilShort && rapid.Bool().Draw(t, "accompanying")
	})
	if pr.UkraineApplied && code == catalog.CodeJobShadowing && rapid.Bool().Draw(t, "ukraine") {
		mob.SendingCountry, mob.ReceivingCountry = "UA", "FI"
		mob.Ukraine = &UkraineParticipant{Category: UkraineStaff, WorkedInUkraine: true, Documents: []string{DocPaySlip},
			ReceivingSignature: true, LinguisticCents: rapid.Int64Range(0, 40_000).Draw(t, "linguistic")}
	}
	if code == catalog.CodePrepVisit {
		mob.DistanceKm, mob.TravelDays, mob.Persons = 0, 0, rapid.IntRange(1, 3).Draw(t, "persons")
	}
	return mob
}

func (m *model) step(t *rapid.T) {
	cmd, now := m.randomCommand(t)
	cmd = adversarial(t, cmd)
	ctx := Context{Now: at(now), Actor: office}
	evs, err := m.d.Decide(ctx, m.state, cmd)
	if err != nil {
		rule, code := ruleOf(err)
		m.accepted["refused "+cmd.CommandType()+" "+rule+string(code)]++
		return
	}
	m.accepted[cmd.CommandType()]++
	ref := cmd.Target()
	ref.Org = m.state.OID
	for _, e := range evs {
		m.versions[ref]++
		checkEventTarget(t, ref, e)
		m.state = Evolve(m.state, e)
		m.decided = append(m.decided, e)
	}
	checkAcceptedAmounts(t, cmd)
	checkInvariants(t, m.d.Policy, m.state)
}

// checkEventTarget checks that the event belongs to the command's aggregate.
func checkEventTarget(t *rapid.T, ref events.Ref, e Event) {
	b, _ := json.Marshal(e)
	var ids struct {
		ProjectID string `json:"project_id"`
		OID       string `json:"oid"`
	}
	_ = json.Unmarshal(b, &ids)
	if ids.OID != ref.Org {
		t.Fatalf("%s carries organisation %q, appended to %s", e.EventType(), ids.OID, ref)
	}
	if ref.Kind == KindProject && ids.ProjectID != ref.ID {
		t.Fatalf("%s carries project %q, appended to %s", e.EventType(), ids.ProjectID, ref)
	}
}

func checkInvariants(t *rapid.T, pol Policy, p Portfolio) {
	checkBounds(t, p)
	approvedByYear := map[int]int{}
	perRound := map[[2]int]int{}
	for _, pr := range p.Projects {
		var sum int64
		counted := 0
		for _, r := range pr.Mobilities {
			if !r.Cancelled {
				sum += r.Grant.TotalCents
				if recordCountsTowardKA122Max(r) {
					counted++
				}
			}
		}
		if sum != pr.ReportedCents || counted != pr.CountedMobilities {
			t.Fatalf("%s: running totals %d/%d, recomputed %d/%d", pr.ID, pr.ReportedCents, pr.CountedMobilities, sum, counted)
		}
		for _, r := range pr.Mobilities {
			if r.Mobility.Ukraine != nil && !pr.UkraineApplied {
				t.Fatalf("%s: mobility %s uses the Ukraine exception, which the project does not apply", pr.ID, r.Mobility.MobilityID)
			}
		}
		if pr.ReportedCents > pr.AwardedCents {
			t.Fatalf("BUD-GRANT-CAP broken: %s reports %d of %d awarded", pr.ID, pr.ReportedCents, pr.AwardedCents)
		}
		if pr.NetPaidCents > pr.AwardedCents || pr.NetPaidCents < 0 {
			t.Fatalf("payments of %s at %d, awarded %d", pr.ID, pr.NetPaidCents, pr.AwardedCents)
		}
		if pr.Action == ActionKA122 && pr.CountedMobilities > ka122MaxMobilities {
			t.Fatalf("KA122-MAX-MOB broken: %s has %d", pr.ID, pr.CountedMobilities)
		}
		if pr.Action == ActionKA122 && pr.Approved {
			approvedByYear[pr.CallYear]++
		}
		if pr.Action == ActionKA122 && pr.Status != StatusWithdrawn {
			perRound[[2]int{pr.CallYear, pr.Round}]++
			if perRound[[2]int{pr.CallYear, pr.Round}] > 1 {
				t.Fatalf("CALL-ONE-PER-ROUND broken in %d round %d", pr.CallYear, pr.Round)
			}
		}
	}
	w := pol.KA122WindowYears
	if w == 0 {
		w = programmeLastYear - programmeFirstYear + 1
	}
	for from := programmeFirstYear - w; from <= programmeLastYear; from++ {
		n := 0
		for y := from; y < from+w; y++ {
			n += approvedByYear[y]
		}
		if n > ka122MaxProjectsDefault {
			t.Fatalf("KA122-MAX-PROJECTS broken: %d granted in %d-%d", n, from, from+w-1)
		}
	}
}

// TestPropertyInvariants runs random valid and invalid command sequences:
// the grant cap, the KA122 limits and the per-aggregate version order
// always hold, and folding the decided events (through their JSON form, as
// the store keeps them) rebuilds the very state the decisions produced.
func TestPropertyInvariants(t *testing.T) {
	reg := Registry()
	totals := map[string]int{}
	prop := func(rt *rapid.T) {
		m := &model{
			d:        &Domain{Rates: testBook, Policy: Policy{KA122WindowYears: rapid.SampledFrom([]int{0, 5}).Draw(rt, "window")}},
			state:    fold(registered()...),
			versions: map[events.Ref]uint64{},
			accepted: map[string]int{},
		}
		n := rapid.IntRange(10, 200).Draw(rt, "steps")
		for i := 0; i < n; i++ {
			m.step(rt)
		}
		start := fold(registered()...)
		startJSON := mustJSONr(rt, start)
		decoded := make([]Event, 0, len(m.decided))
		for i, e := range m.decided {
			name, ver, err := reg.NameOf(e)
			if err != nil {
				rt.Fatal(err)
			}
			payload, _ := json.Marshal(e)
			back, err := reg.Decode(events.Envelope{Type: name, SchemaVersion: ver, Payload: payload, Sequence: uint64(i + 1)})
			if err != nil {
				rt.Fatal(err)
			}
			decoded = append(decoded, back.(Event))
		}
		replayed := EvolveAll(start, decoded)
		if mustJSONr(rt, start) != startJSON {
			rt.Fatalf("EvolveAll changed its input state")
		}
		if a, b := mustJSONr(rt, replayed), mustJSONr(rt, m.state); a != b {
			rt.Fatalf("replay differs from the decided state:\n%s\n%s", a, b)
		}
		var sum uint64
		for _, v := range m.versions {
			sum += v
		}
		if sum != uint64(len(m.decided)) {
			rt.Fatalf("versions add up to %d for %d events", sum, len(m.decided))
		}
		for k, v := range m.accepted {
			totals[k] += v
		}
	}
	// The generator must reach the deep states too (a closed project
	// needs a submitted, assessed and settled final report). A hundred
	// random runs almost always do; should one batch not, a few more
	// batches make a vacuous generator, not bad luck, the only way to fail.
	deep := func() bool {
		return totals["ReportMobility"] >= 100 && totals["CloseProject"] > 0 && totals["CorrectMobility"] > 0
	}
	for batch := 0; batch < 5 && (batch == 0 || !deep()); batch++ {
		rapid.Check(t, prop)
	}
	t.Logf("commands decided over all runs: %v", totals)
	if !deep() {
		t.Fatalf("the generator never reached mobility reports or decisions: %v", totals)
	}
	// Every command was tried (accepted or refused), hostile amounts included.
	tried := map[string]bool{}
	for k := range totals {
		name := strings.TrimPrefix(k, "refused ")
		name, _, _ = strings.Cut(name, " ")
		tried[name] = true
	}
	for _, c := range allCommands() {
		if !tried[c.CommandType()] {
			t.Errorf("the generator never tried %s", c.CommandType())
		}
	}
}

func mustJSONr(t *rapid.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOrgWideDecisionNeedsFreshState shows why DecideApplication is
// organisation-wide: two approvals decided on the same state are each
// allowed, but once the first is applied the second is refused. The store's
// organisation-wide boundary turns the race into that second decision.
func TestOrgWideDecisionNeedsFreshState(t *testing.T) {
	given := cat(registered(),
		[]Event{submitted("K1", ActionKA122, 2021, 1, "2021-09-01", "2022-08-31", 1_000_000)}, approved("K1", 1_000_000, "2021-08-01"),
		[]Event{submitted("K2", ActionKA122, 2022, 1, "2022-09-01", "2023-08-31", 1_000_000)}, approved("K2", 1_000_000, "2022-08-01"),
		[]Event{submitted("K3", ActionKA122, 2023, 1, "2023-09-01", "2024-08-31", 1_000_000), eligible("K3")},
		[]Event{submitted("K4", ActionKA122, 2024, 1, "2024-09-01", "2025-08-31", 1_000_000), eligible("K4")})
	s := fold(given...)
	d := testDomain()
	ctx := officeAt("2024-08-01")
	a, errA := d.Decide(ctx, s, DecideApplication{ProjectID: "K3", Outcome: OutcomeApproved, AwardedCents: 1_000_000})
	_, errB := d.Decide(ctx, s, DecideApplication{ProjectID: "K4", Outcome: OutcomeApproved, AwardedCents: 1_000_000})
	if errA != nil || errB != nil {
		t.Fatalf("each approval alone is allowed: %v, %v", errA, errB)
	}
	_, err := d.Decide(ctx, Evolve(s, a[0]), DecideApplication{ProjectID: "K4", Outcome: OutcomeApproved, AwardedCents: 1_000_000})
	if rule, _ := ruleOf(err); rule != "KA122-MAX-PROJECTS" {
		t.Fatalf("second approval after the first: %v, want KA122-MAX-PROJECTS", err)
	}
}

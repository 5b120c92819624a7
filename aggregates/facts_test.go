package aggregates

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
	"pgregory.net/rapid"
)

// TestCompactStateDecidesAsTheFullState drives long random histories (the
// property test's commands, with participants shared between mobilities,
// course fees, inclusion support and groups) and, before every command,
// decides it both on the full state (every MobilityRecord) and on the
// compact state folded from the same events (NewCompactPortfolio): the
// events or the error must be the same. A command the compact state
// refuses with FactsNeeded is decided, as the command handler does, on
// WithRecords of the projects folded in full, after which the compact
// projects are sometimes replaced by Compacted of them (the handler's
// refresh) and sometimes kept (another instance's events). After every
// command the facts of the full state are checked against the records
// they stand for, read as the rules read them before the facts existed
// (the ref* functions below), and every compact project against its full
// fold compacted.
func TestCompactStateDecidesAsTheFullState(t *testing.T) {
	decided, onCompact := map[string]int{}, map[string]int{}
	prop := func(rt *rapid.T) {
		m := &model{
			d:        &Domain{Rates: testBook, Policy: Policy{KA122WindowYears: rapid.SampledFrom([]int{0, 5}).Draw(rt, "window")}},
			state:    fold(registered()...),
			accepted: map[string]int{},
		}
		compact := EvolveAll(NewCompactPortfolio(testOrg), registered())
		n := rapid.IntRange(50, 400).Draw(rt, "steps")
		for i := 0; i < n; i++ {
			cmd, now := m.randomCommand(rt)
			cmd = shareParticipants(rt, cmd)
			cmd = adversarial(rt, cmd)
			ctx := Context{Now: at(now), Actor: office}
			want, wantErr := m.d.Decide(ctx, m.state, cmd)
			got, gotErr := m.d.Decide(ctx, compact, cmd)
			if ids, ok := FactsNeeded(gotErr); ok {
				prs := make([]Project, len(ids))
				for i, id := range ids {
					prs[i] = m.state.Projects[id]
				}
				on, err := compact.WithRecords(prs...)
				if err != nil {
					rt.Fatalf("%s: %v", cmd.CommandType(), err)
				}
				got, gotErr = m.d.Decide(ctx, on, cmd)
				if _, again := FactsNeeded(gotErr); again {
					rt.Fatalf("%s: the facts of %v are needed again", cmd.CommandType(), ids)
				}
				if rapid.Bool().Draw(rt, "refresh") {
					for _, pr := range prs {
						compact.Projects[pr.ID] = pr.Compacted()
					}
				}
			} else if wantErr == nil {
				onCompact[cmd.CommandType()]++
			}
			if !sameAnswer(got, gotErr, want, wantErr) {
				rt.Fatalf("%s decided differently:\ncompact %s %v\nfull    %s %v", cmd.CommandType(), mustJSONr(rt, got), gotErr, mustJSONr(rt, want), wantErr)
			}
			if wantErr != nil {
				continue
			}
			decided[cmd.CommandType()]++
			m.state = EvolveAll(m.state, want)
			EvolveOwned(&compact, want)
			checkFactsAgainstRecords(rt, m.state, compact)
		}
	}
	// Batches until the histories are long in mobilities (most random
	// commands are refused by a rule).
	for batch := 0; batch < 8 && (batch == 0 || decided["ReportMobility"] < 500 || decided["CorrectMobility"] < 30); batch++ {
		rapid.Check(t, prop)
	}
	t.Logf("commands decided: %v; of them on the compact state alone: %v", decided, onCompact)
	for _, c := range []string{"ReportMobility", "CorrectMobility", "CancelMobility", "AmendProject", "SubmitFinalReport"} {
		if decided[c] == 0 {
			t.Errorf("the random histories never decided %s", c)
		}
	}
	if onCompact["ReportMobility"]*2 < decided["ReportMobility"] {
		t.Errorf("only %d of %d reports were decided on the compact state alone", onCompact["ReportMobility"], decided["ReportMobility"])
	}
}

// shareParticipants gives a reported or corrected mobility one of a few
// shared participants, course-fee days, inclusion support, a group or an
// exceptional travel cost, so that the per-participant and per-project
// limits are reached.
func shareParticipants(t *rapid.T, cmd Command) Command {
	change := func(m Mobility) Mobility {
		if rapid.Bool().Draw(t, "shared participant") {
			m.ParticipantID = fmt.Sprintf("SHARED-%d", rapid.IntRange(0, 3).Draw(t, "participant"))
		}
		if m.Activity == catalog.CodeCourse {
			m.CourseFeeDays = rapid.IntRange(0, 8).Draw(t, "course fee days")
		}
		if rapid.IntRange(0, 4).Draw(t, "inclusion") == 0 {
			m.FewerOpportunities, m.InclusionCents = true, rapid.Int64Range(1, 80_000).Draw(t, "inclusion cents")
		}
		if rapid.IntRange(0, 4).Draw(t, "exceptional") == 0 {
			m.RealTravelCostCents = rapid.Int64Range(1, 400_000).Draw(t, "real travel")
		}
		if m.Activity == catalog.CodePupilShort {
			m.GroupID = fmt.Sprintf("G%d", rapid.IntRange(0, 2).Draw(t, "group"))
		}
		return m
	}
	switch c := cmd.(type) {
	case ReportMobility:
		c.Mobility = change(c.Mobility)
		return c
	case CorrectMobility:
		c.Mobility = change(c.Mobility)
		return c
	}
	return cmd
}

// sameAnswer reports whether two decisions are the same: equal events, or
// errors of the same code, rule, field and message.
func sameAnswer(a []Event, aErr error, b []Event, bErr error) bool {
	if (aErr == nil) != (bErr == nil) {
		return false
	}
	if aErr != nil {
		x, y := apperr.As(aErr), apperr.As(bErr)
		return x.Code == y.Code && x.Rule == y.Rule && x.Field == y.Field && x.Message == y.Message
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// checkFactsAgainstRecords checks every project of the full state: its
// facts are its records' facts, and every query the rules make of the
// facts answers as the same query made of the records. It checks every
// project of the compact state against the full one compacted: the same
// mobility IDs and figures (unless a cancellation or correction left them
// unknown), the same everything else, and the queries of a new report
// answered the same.
func checkFactsAgainstRecords(t *rapid.T, full, compact Portfolio) {
	for id, pr := range full.Projects {
		if len(pr.facts) != len(pr.Mobilities) {
			t.Fatalf("%s: %d facts for %d records", id, len(pr.facts), len(pr.Mobilities))
		}
		for mid, r := range pr.Mobilities {
			if f := factsOf(r); f != pr.facts[mid] {
				t.Fatalf("%s/%s: facts %+v, of the record %+v", id, mid, pr.facts[mid], f)
			}
			if d := pr.facts[mid].start.date(); !d.Equal(r.Mobility.StartDate) || d.String() != r.Mobility.StartDate.String() {
				t.Fatalf("%s/%s: start %s packed as %s", id, mid, r.Mobility.StartDate, d)
			}
		}
		probes := append(sortedMobilityIDs(pr), "NEW")
		for _, mid := range probes {
			m := pr.Mobilities[mid].Mobility
			if mid == "NEW" {
				m = Mobility{MobilityID: "NEW", ParticipantID: "SHARED-1"}
			}
			d1, l1 := participantClaims(pr, m)
			d2, l2 := refParticipantClaims(pr, m)
			if d1 != d2 || l1 != l2 {
				t.Fatalf("%s/%s: participant claims %d/%d, of the records %d/%d", id, mid, d1, l1, d2, l2)
			}
			if x, y := participantsBefore(pr, m), refParticipantsBefore(pr, m); x != y {
				t.Fatalf("%s/%s: participants before %d, of the records %d", id, mid, x, y)
			}
			if x, y := projectClaims(pr, mid), refProjectClaims(pr, mid); !pr.claimsInexact && x != y {
				t.Fatalf("%s/%s: claims %+v, of the records %+v", id, mid, x, y)
			}
			inexact := pr
			inexact.claimsInexact = true
			if x, y := projectClaims(inexact, mid), refProjectClaims(pr, mid); x != y {
				t.Fatalf("%s/%s: claims added up %+v, of the records %+v", id, mid, x, y)
			}
		}
		if x, y := fmt.Sprint(checkPupilGroups(pr)), fmt.Sprint(refCheckPupilGroups(pr)); x != y {
			t.Fatalf("%s: groups %s, of the records %s", id, x, y)
		}
		checkCompactProject(t, pr, compact.Projects[id])
	}
	for _, pid := range []string{"", "SHARED-0", "SHARED-2", "PART-M3", "NOBODY"} {
		if x, y := full.HasParticipant(pid), refHasParticipant(full, pid); x != y {
			t.Fatalf("participant %q: %v, of the records %v", pid, x, y)
		}
	}
}

// checkCompactProject checks compact project cp against pr, the same
// project folded in full.
func checkCompactProject(t *rapid.T, pr, cp Project) {
	id := pr.ID
	if !cp.isLean() || cp.Mobilities != nil || cp.facts != nil || cp.byParticipant != nil {
		t.Fatalf("%s: the compact project keeps facts or records", id)
	}
	want := pr.Compacted()
	if !sameLean(cp, want) {
		t.Fatalf("%s: the compact project's figures differ from the full fold's:\n%+v\n%+v", id, cp, want)
	}
	a, b := cp, want
	a.mobilityIDs, b.mobilityIDs = nil, nil // equal sets (sameLean)
	if a.factsUnknown {
		a.ReportedCents, a.CountedMobilities, a.orgSupportCount, a.claimed, a.claimsInexact = b.ReportedCents, b.CountedMobilities, b.orgSupportCount, b.claimed, b.claimsInexact
		a.participantSums, a.sumsInexact, a.mobilityCount, a.factsUnknown = b.participantSums, b.sumsInexact, b.mobilityCount, false
	}
	if len(a.participantSums) == 0 && len(b.participantSums) == 0 {
		a.participantSums, b.participantSums = nil, nil
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: the compact project differs from the full fold compacted:\n%+v\n%+v", id, a, b)
	}
	if cp.factsUnknown {
		return
	}
	for _, pid := range []string{"", "SHARED-0", "SHARED-1", "SHARED-2", "SHARED-3", "NOBODY"} {
		m := Mobility{MobilityID: "NEW", ParticipantID: pid}
		d1, l1 := participantClaims(cp, m)
		d2, l2 := refParticipantClaims(pr, m)
		if !cp.sumsInexact && (d1 != d2 || l1 != l2) {
			t.Fatalf("%s: participant %q claims %d/%d, of the records %d/%d", id, pid, d1, l1, d2, l2)
		}
		if x, y := participantsBefore(cp, m), refParticipantsBefore(pr, m); x != y {
			t.Fatalf("%s: participants before a new one %d, of the records %d", id, x, y)
		}
	}
	if x, y := projectClaims(cp, ""), refProjectClaims(pr, ""); !cp.claimsInexact && x != y {
		t.Fatalf("%s: claims %+v, of the records %+v", id, x, y)
	}
	if cp.ReportedCents != pr.ReportedCents || cp.CountedMobilities != pr.CountedMobilities {
		t.Fatalf("%s: reported %d (%d counted), of the records %d (%d)", id, cp.ReportedCents, cp.CountedMobilities, pr.ReportedCents, pr.CountedMobilities)
	}
}

// The reference queries: how the rules read the records before the facts.

func refParticipantClaims(pr Project, m Mobility) (courseFeeDays int, linguisticCents int64) {
	if m.ParticipantID == "" {
		return 0, 0
	}
	ids := make([]string, 0, len(pr.Mobilities))
	for id := range pr.Mobilities {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := pr.Mobilities[id]
		if id == m.MobilityID || r.Cancelled || r.Mobility.ParticipantID != m.ParticipantID {
			continue
		}
		courseFeeDays += r.Mobility.CourseFeeDays
		for _, l := range r.Grant.Lines {
			if l.Rule == "UA-LINGUISTIC" && l.AmountCents > 0 {
				linguisticCents = money.SatAdd(linguisticCents, l.AmountCents)
			}
		}
	}
	return courseFeeDays, linguisticCents
}

func refParticipantsBefore(pr Project, m Mobility) int {
	own, had := pr.Mobilities[m.MobilityID]
	n := 0
	for id, r := range pr.Mobilities {
		if id == m.MobilityID || !recordPaysOrgSupport(r) || (had && r.Seq > own.Seq) {
			continue
		}
		n++
	}
	return n
}

func refProjectClaims(pr Project, skip string) supportClaims {
	var c supportClaims
	for id, r := range pr.Mobilities {
		if id == skip || r.Cancelled {
			continue
		}
		o := claimsOf(r.Mobility, r.Grant)
		c.inclusion = money.SatAdd(c.inclusion, o.inclusion)
		c.exceptional = money.SatAdd(c.exceptional, o.exceptional)
	}
	return c
}

func refHasParticipant(p Portfolio, id string) bool {
	for _, pr := range p.Projects {
		for _, m := range pr.Mobilities {
			if m.Mobility.ParticipantID == id {
				return true
			}
		}
	}
	return false
}

func refCheckPupilGroups(pr Project) error {
	type group struct {
		act                  catalog.Activity
		pupils, accompanying int
	}
	groups := map[string]*group{}
	ids := make([]string, 0, len(pr.Mobilities))
	for id := range pr.Mobilities {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := pr.Mobilities[id]
		act, _ := catalog.ActivityByCode(r.Mobility.Activity)
		if r.Cancelled || !act.Group || act.Code == catalog.CodeKA202StaffEvent {
			continue
		}
		key := act.Code + "/" + r.Mobility.GroupID
		g := groups[key]
		if g == nil {
			g = &group{act: act}
			groups[key] = g
		}
		if r.Mobility.Accompanying {
			g.accompanying++
		} else {
			g.pupils++
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if g := groups[k]; g.pupils < 2 || g.accompanying < 1 {
			return fmt.Errorf("%s %d %d", k, g.pupils, g.accompanying)
		}
	}
	return nil
}

// TestCompactPortfolioRefusesRecordCommands: a command that reads the
// records is refused by a compact state (an internal error: the caller
// must give WithRecords) and decided on WithRecords as on the full state.
func TestCompactPortfolioRefusesRecordCommands(t *testing.T) {
	evs := ka122(mobEvent("M01", 1, nil))
	full := fold(evs...)
	compact := EvolveAll(NewCompactPortfolio(testOrg), evs)
	ctx := officeAt("2023-09-15")
	fix := jobShadow("M01")
	fix.TravelDays = 1
	for _, cmd := range []Command{CorrectMobility{ProjectID: testProject, Mobility: fix, Reason: "travel"},
		RecomputeGrants{ProjectID: testProject, Reason: "rates"}} {
		if !NeedsRecords(cmd) {
			t.Fatalf("%s does not need the records", cmd.CommandType())
		}
		if _, err := testDomain().Decide(ctx, compact, cmd); apperr.As(err).Code != apperr.Internal {
			t.Fatalf("%s on a compact state: %v", cmd.CommandType(), err)
		}
		want, wantErr := testDomain().Decide(ctx, full, cmd)
		on, err := compact.WithRecords(full.Projects[testProject])
		if err != nil {
			t.Fatal(err)
		}
		got, gotErr := testDomain().Decide(ctx, on, cmd)
		if !sameAnswer(got, gotErr, want, wantErr) {
			t.Fatalf("%s: %v %v, full %v %v", cmd.CommandType(), got, gotErr, want, wantErr)
		}
	}
	other := fold(ka122(mobEvent("M02", 1, nil))...)
	if _, err := compact.WithRecords(other.Projects[testProject]); err == nil {
		t.Fatal("WithRecords took a project folded from other events")
	}
	if NeedsRecords(ReportMobility{}) || NeedsRecords(CancelMobility{}) {
		t.Fatal("a report or a cancellation needs the records")
	}
}

package aggregates

import (
	"fmt"
	"reflect"
	"testing"
)

// ownedHistory is a project whose mobilities are reported, corrected (one
// moving to another participant), cancelled and reported again.
func ownedHistory() []Event {
	evs := ka122()
	for i := 0; i < 40; i++ {
		evs = append(evs, mobEvent(fmt.Sprintf("M%02d", i), int64(1_000+i), func(m *Mobility) {
			m.ParticipantID = fmt.Sprintf("P%d", i%7)
			m.InclusionCents = int64(10 * i)
			if i%5 == 0 {
				m.Accompanying = true
			}
		}))
	}
	moved := jobShadow("M03")
	moved.ParticipantID = "P-OTHER"
	evs = append(evs,
		MobilityCorrected{ProjectID: testProject, OID: testOrg, Mobility: moved, Days: 5, Grant: GrantBreakdown{TotalCents: 7}},
		MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: "M04"},
		mobEvent("M04", 99, nil),
		PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "P", Kind: PaymentPreFinancing, AmountCents: 5, NetPaidCents: 5},
	)
	return evs
}

// TestEvolveOwnedEqualsEvolve checks that folding in place gives the state
// that the pure Evolve gives, event by event and all at once, including the
// running counts and indexes Decide reads.
func TestEvolveOwnedEqualsEvolve(t *testing.T) {
	evs := ownedHistory()
	want := fold(evs...)
	if all := EvolveAll(NewPortfolio(testOrg), evs); !reflect.DeepEqual(all, want) {
		t.Fatal("EvolveAll differs from folding Evolve")
	}
	got := NewPortfolio(testOrg)
	for _, e := range evs {
		EvolveOwned(&got, []Event{e})
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("EvolveOwned event by event differs from Evolve:\n got %+v\nwant %+v", got.Projects[testProject], want.Projects[testProject])
	}
	pr := got.Projects[testProject]
	if ids := pr.byParticipant["P-OTHER"]; !reflect.DeepEqual(ids, []string{"M03"}) {
		t.Fatalf("participant index of the moved mobility: %v", ids)
	}
	n := 0
	for _, r := range pr.Mobilities {
		if recordPaysOrgSupport(r) {
			n++
		}
	}
	if pr.orgSupportCount != n {
		t.Fatalf("orgSupportCount %d, counted %d", pr.orgSupportCount, n)
	}
	var scan supportClaims
	for id, r := range pr.Mobilities {
		if id != "M07" && !r.Cancelled {
			o := claimsOf(r.Mobility, r.Grant)
			scan.inclusion += o.inclusion
			scan.exceptional += o.exceptional
		}
	}
	if inexact := projectClaims(Project{facts: pr.facts, claimsInexact: true}, "M07"); inexact != scan {
		t.Fatalf("claims added up from the facts %+v, from the records %+v", inexact, scan)
	}
	if got := projectClaims(pr, "M07"); got != scan || pr.claimsInexact || scan.inclusion == 0 {
		t.Fatalf("running claims %+v, added up %+v (inexact %v)", got, scan, pr.claimsInexact)
	}
}

// TestCloneSharesNothing checks that evolving a clone in place leaves the
// original as it was.
func TestCloneSharesNothing(t *testing.T) {
	orig := EvolveAll(NewPortfolio(testOrg), ownedHistory())
	before := fold(ownedHistory()...)
	c := orig.Clone()
	EvolveOwned(&c, []Event{mobEvent("NEW", 1, func(m *Mobility) { m.ParticipantID = "P1" }),
		MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: "M01"},
		AccreditationApplied{OID: testOrg, AccreditationID: "A9", Field: FieldVET}})
	if !reflect.DeepEqual(orig, before) {
		t.Fatal("evolving the clone in place changed the original")
	}
	if _, ok := c.Projects[testProject].Mobilities["NEW"]; !ok {
		t.Fatal("the clone did not take the event")
	}
}

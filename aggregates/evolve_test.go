package aggregates

import "testing"

// TestEvolveBranches checks that two states evolved from one parent do
// not share writes: copy on write, never in place.
func TestEvolveBranches(t *testing.T) {
	parent := EvolveAll(NewPortfolio(testOrg), ka122(mobEvent("M0", 100, nil)))
	before := mustJSON(t, parent)
	a := Evolve(parent, mobEvent("A", 1_000, nil))
	b := EvolveAll(parent, []Event{mobEvent("B", 2_000, nil), MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: "M0"},
		PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "P", Kind: PaymentPreFinancing, AmountCents: 5, NetPaidCents: 5}})
	if mustJSON(t, parent) != before {
		t.Fatal("evolving changed the parent state")
	}
	pa, pb := a.Projects[testProject], b.Projects[testProject]
	if _, ok := pa.Mobilities["B"]; ok {
		t.Fatal("branch a sees branch b's mobility")
	}
	if _, ok := pb.Mobilities["A"]; ok {
		t.Fatal("branch b sees branch a's mobility")
	}
	if pa.ReportedCents != 1_100 || pb.ReportedCents != 2_000 || len(pa.Payments) != 0 || pb.NetPaidCents != 5 {
		t.Fatalf("totals: a %d, b %d; payments a %d, b net %d", pa.ReportedCents, pb.ReportedCents, len(pa.Payments), pb.NetPaidCents)
	}
	if pa.Mobilities["M0"].Cancelled {
		t.Fatal("branch a sees branch b's cancellation")
	}
}

// TestEvolveIgnoresUnknownAndPointers checks pointers to events are
// applied like values, and nil or foreign events change nothing.
func TestEvolveIgnoresUnknownAndPointers(t *testing.T) {
	p := fold(registered()...)
	var nilEvent *ProjectClosed
	if mustJSON(t, Evolve(p, nilEvent)) != mustJSON(t, p) {
		t.Fatal("a nil event changed the state")
	}
	q := Evolve(p, &AccreditationApplied{OID: testOrg, AccreditationID: "A1", Field: FieldVET})
	if q.Organisation.Accreditations["A1"].Status != AccreditationStatusApplied {
		t.Fatal("a pointer event was not applied")
	}
	if len(p.Organisation.Accreditations) != 0 {
		t.Fatal("the parent's accreditation map was changed")
	}
}

// TestDecideAcceptsPointers checks callers may pass commands by pointer.
func TestDecideAcceptsPointers(t *testing.T) {
	c := report(jobShadow("M1"))
	evs, err := testDomain().Decide(officeAt("2023-01-01"), fold(ka122()...), &c)
	if err != nil || len(evs) != 1 {
		t.Fatalf("pointer command: %v %v", evs, err)
	}
	var nilCmd *ReportMobility
	if _, err := testDomain().Decide(officeAt("2023-01-01"), fold(ka122()...), nilCmd); err == nil {
		t.Fatal("a nil command was accepted")
	}
	if !BeneficiaryMay("ReportMobility") || BeneficiaryMay("RecordPayment") {
		t.Fatal("BeneficiaryMay disagrees with CORE-TASKS")
	}
}

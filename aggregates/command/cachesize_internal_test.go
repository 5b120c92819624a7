package command

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/memstore"
)

// TestCacheSizeEstimateIsNearTheHeap folds an organisation with a project
// of 2 001 mobilities into an entry and compares the bytes the entry counts
// with what the heap grew by: the estimate that bounds the cache must be
// of the right order (within a factor of three either way).
func TestCacheSizeEstimateIsNearTheHeap(t *testing.T) {
	book, err := rates.Default()
	if err != nil {
		t.Fatal(err)
	}
	reg := aggregates.Registry()
	now := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	clk := events.ClockFunc(func() time.Time { return now })
	st := memstore.New(reg, memstore.Config{Clock: clk})
	h := New(st, aggregates.NewDomain(book, aggregates.Policy{}), reg, clk, Config{})
	office := events.Actor{UserID: "o", Role: aggregates.RoleNationalOffice}
	do := func(cmd aggregates.Command) {
		t.Helper()
		if _, err := h.Handle(context.Background(), Request{Command: cmd, Actor: office}); err != nil {
			t.Fatalf("%s: %v", cmd.CommandType(), err)
		}
	}
	const org, id = "E10000001", "2024-1-FI01-KA122-SCH-000000001"
	do(aggregates.RegisterOrganisation{OID: org, LegalName: "Testikoulu", Country: "FI", City: "Helsinki", Kind: aggregates.OrgSchool})
	do(aggregates.SubmitApplication{ProjectID: id, OID: org, Action: aggregates.ActionKA122, Field: aggregates.FieldSchool,
		CallYear: 2024, Round: 1, StartDate: aggregates.MustDate("2024-06-01"), EndDate: aggregates.MustDate("2025-05-31"), RequestedCents: 6000000})
	do(aggregates.AssessEligibility{ProjectID: id, Outcome: aggregates.OutcomeEligible})
	do(aggregates.DecideApplication{ProjectID: id, Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
	do(aggregates.SignGrantAgreement{ProjectID: id})
	now = time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)
	first, err := h.Handle(context.Background(), Request{Command: aggregates.ReportMobility{ProjectID: id, Mobility: aggregates.Mobility{
		MobilityID: "M0000", ParticipantID: "P0000",
		Personal: aggregates.Personal{FirstName: "Aino", LastName: "Virtanen", BirthDate: aggregates.MustDate("1980-04-01"), Email: "aino@example.fi"},
		Activity: "OA-PREP-VISIT", StartDate: aggregates.MustDate("2024-09-02"), EndDate: aggregates.MustDate("2024-09-04"),
		SendingOrganisation: "Testikoulu", ReceivingOrganisation: "Schule Berlin", SendingCountry: "FI",
		ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100,
	}}, Actor: office})
	if err != nil {
		t.Fatal(err)
	}
	// More of the same mobility, appended as stored events (past the
	// grant cap: the cache folds what the stream holds), so that the
	// project's state is large beside the heap's noise.
	var tmpl aggregates.MobilityReported
	if err := json.Unmarshal(first.Events[0].Payload, &tmpl); err != nil {
		t.Fatal(err)
	}
	head := events.HeadOf(first.Events[0])
	ref := first.Ref
	for b := range 20 {
		drafts := make([]events.Draft, 100)
		for i := range drafts {
			ev := tmpl
			ev.Mobility.MobilityID, ev.Mobility.ParticipantID = fmt.Sprintf("M%02d%03d", b, i), fmt.Sprintf("P%02d%03d", b, i)
			drafts[i] = events.Draft{Payload: ev, OccurredAt: now}
		}
		stored, err := st.Append(context.Background(), events.AppendRequest{Ref: ref, Expected: head, Events: drafts, Meta: events.Meta{Actor: office, RecordedAt: now}})
		if err != nil {
			t.Fatal(err)
		}
		head = events.HeadOf(stored[len(stored)-1])
	}
	envs, err := st.LoadOrg(context.Background(), org, 0)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	e := newEntry(org)
	if err := h.apply(context.Background(), e, envs); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	counted := e.bytes + e.grown + entryBytes
	runtime.KeepAlive(e)
	runtime.KeepAlive(envs)
	runtime.KeepAlive(h)
	runtime.KeepAlive(st)
	t.Logf("%d events: the heap grew by %d bytes, the entry counts %d (ratio %.2f)", len(envs), heap, counted, float64(counted)/float64(heap))
	if counted*3 < heap || counted > heap*3 {
		t.Fatalf("the entry counts %d bytes, the heap grew by %d: the estimate is off by more than a factor of three", counted, heap)
	}
}

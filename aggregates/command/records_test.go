package command_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
)

// TestRecordCommandsOnTheCompactCache: the handler's cache keeps projects
// compact (the mobilities' facts), so a correction and a recomputation,
// which read the full records, are decided on the project folded in full
// from its events: their events are those the domain decides on the full
// state, and the cache decides on correctly afterwards.
func TestRecordCommandsOnTheCompactCache(t *testing.T) {
	clk := newClock("2024-01-15T10:00:00Z")
	h, _ := memHandler(t, clk)
	id := projectID(1)
	mustHandle(t, h, office, register())
	mustHandle(t, h, office, ka122(id, 1))
	mustHandle(t, h, office, aggregates.AssessEligibility{ProjectID: id, Outcome: aggregates.OutcomeEligible})
	mustHandle(t, h, office, aggregates.DecideApplication{ProjectID: id, Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
	mustHandle(t, h, office, aggregates.SignGrantAgreement{ProjectID: id})
	clk.set(clk.Now().AddDate(1, 5, 0))
	mob := func(i int) aggregates.Mobility {
		return aggregates.Mobility{MobilityID: fmt.Sprintf("M%d", i), ParticipantID: fmt.Sprintf("P%d", i%2),
			Personal: aggregates.Personal{FirstName: "Aino", LastName: "Virtanen"},
			Activity: "SM-COUR-TRAIN", StartDate: date("2024-09-02"), EndDate: date("2024-09-06"), CourseFeeDays: 4,
			SendingOrganisation: "Testikoulu", ReceivingOrganisation: "Schule Berlin", SendingCountry: "FI",
			ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100}
	}
	for i := range 4 {
		mustHandle(t, h, school, aggregates.ReportMobility{ProjectID: id, Mobility: mob(i)})
	}
	fix := mob(2)
	fix.Personal = aggregates.Personal{}
	fix.TravelDays = 2
	for _, cmd := range []aggregates.Command{
		aggregates.CorrectMobility{ProjectID: id, Mobility: fix, Reason: "travel days"},
		aggregates.RecomputeGrants{ProjectID: id, Reason: "rates"},
	} {
		full, _, err := h.OrganisationAt(context.Background(), org, events.AsOf{At: clk.Now(), Axis: events.Recorded})
		if err != nil {
			t.Fatal(err)
		}
		if full.Compact() {
			t.Fatal("the state as of a time is compact")
		}
		want, err := domain(t).Decide(aggregates.Context{Now: clk.Now(), Actor: office}, full, cmd)
		if err != nil {
			t.Fatalf("%s on the full state: %v", cmd.CommandType(), err)
		}
		res := mustHandle(t, h, office, cmd)
		if len(res.Events) != len(want) {
			t.Fatalf("%s: %d events, the full state decides %d", cmd.CommandType(), len(res.Events), len(want))
		}
		for i, env := range res.Events {
			wantJSON, _ := json.Marshal(want[i])
			if string(env.Payload) != string(wantJSON) {
				t.Fatalf("%s event %d:\n got %s\nwant %s", cmd.CommandType(), i, env.Payload, wantJSON)
			}
		}
	}
	// The course-fee days of participant P0 (M0 and M2, 4 days each)
	// leave 2 of ACT-COURSE's 10: the cache still counts them.
	over := mob(4)
	over.CourseFeeDays = 3
	if _, err := h.Handle(context.Background(), command.Request{Command: aggregates.ReportMobility{ProjectID: id, Mobility: over}, Actor: school}); err == nil {
		t.Fatal("a third course of participant P0 went over the course-fee days")
	}
}

// TestCancellationsKeepTheCompactFiguresRight: a cancellation is decided
// on its project folded in full and leaves the cache's per-participant
// sums right, whether this handler decided it (its events folded onto the
// full project) or another instance did (the cache learns of it by a
// conflict, its figures unknown until the project is folded again).
// ACT-COURSE pays at most 10 course-fee days per participant in a
// project: P0 holds M0 and M2 (4 days each).
func TestCancellationsKeepTheCompactFiguresRight(t *testing.T) {
	clk := newClock("2024-01-15T10:00:00Z")
	h, st := memHandler(t, clk)
	id := projectID(1)
	mustHandle(t, h, office, register())
	mustHandle(t, h, office, ka122(id, 1))
	mustHandle(t, h, office, aggregates.AssessEligibility{ProjectID: id, Outcome: aggregates.OutcomeEligible})
	mustHandle(t, h, office, aggregates.DecideApplication{ProjectID: id, Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
	mustHandle(t, h, office, aggregates.SignGrantAgreement{ProjectID: id})
	clk.set(clk.Now().AddDate(1, 5, 0))
	mob := func(i, days int) aggregates.Mobility {
		return aggregates.Mobility{MobilityID: fmt.Sprintf("M%d", i), ParticipantID: fmt.Sprintf("P%d", i%2),
			Activity: "SM-COUR-TRAIN", StartDate: date("2024-09-02"), EndDate: date("2024-09-11"), CourseFeeDays: days,
			SendingOrganisation: "Testikoulu", ReceivingOrganisation: "Schule Berlin", SendingCountry: "FI",
			ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100}
	}
	for i := range 4 {
		mustHandle(t, h, school, aggregates.ReportMobility{ProjectID: id, Mobility: mob(i, 4)})
	}
	report := func(h *command.Handler, i, days int) error {
		_, err := h.Handle(context.Background(), command.Request{Command: aggregates.ReportMobility{ProjectID: id, Mobility: mob(i, days)}, Actor: school})
		return err
	}
	if err := report(h, 4, 3); err == nil {
		t.Fatal("P0 went over 10 course-fee days")
	}
	// This handler cancels M0: P0 claims 4 days, so 6 more fit, not 7.
	mustHandle(t, h, school, aggregates.CancelMobility{ProjectID: id, MobilityID: "M0", Reason: "ill"})
	if err := report(h, 4, 7); err == nil {
		t.Fatal("after M0's cancellation, P0 went over 10 course-fee days")
	}
	if err := report(h, 4, 6); err != nil {
		t.Fatalf("after M0's cancellation, 6 more days of P0: %v", err)
	}
	// Another instance (the same store, its own cache) cancels M4. This
	// handler learns of it by the conflict of its next append (M6, no
	// course fees), which folds the cancellation without M4's facts.
	other := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	mustHandle(t, other, school, aggregates.CancelMobility{ProjectID: id, MobilityID: "M4", Reason: "ill"})
	if err := report(h, 6, 0); err != nil {
		t.Fatal(err)
	}
	if err := report(h, 8, 7); err == nil {
		t.Fatal("after M4's cancellation elsewhere, P0 went over 10 course-fee days")
	}
	if err := report(h, 8, 6); err != nil {
		t.Fatalf("after M4's cancellation elsewhere, 6 more days of P0: %v", err)
	}
	if err := report(h, 6, 1); err == nil {
		t.Fatal("a mobility ID reported twice")
	}
}

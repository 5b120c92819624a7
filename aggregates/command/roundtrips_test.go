package command_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// calls counts the calls made to the store.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}

// take returns the counts since the last take and starts again.
func (c *calls) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = nil
	if n == nil {
		n = map[string]int{}
	}
	return n
}

// countingStore is an events.Store that counts its calls.
type countingStore struct {
	events.Store
	c *calls
}

func (s countingStore) Append(ctx context.Context, req events.AppendRequest) ([]events.Envelope, error) {
	s.c.add("Append")
	return s.Store.Append(ctx, req)
}

func (s countingStore) Load(ctx context.Context, ref events.Ref, after uint64) ([]events.Envelope, error) {
	s.c.add("Load")
	envs, err := s.Store.Load(ctx, ref, after)
	for range envs {
		s.c.add("Loaded") // events read by Load
	}
	return envs, err
}

func (s countingStore) LoadOrg(ctx context.Context, org string, after uint64) ([]events.Envelope, error) {
	s.c.add("LoadOrg " + org)
	return s.Store.LoadOrg(ctx, org, after)
}

func (s countingStore) Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	s.c.add("Events")
	return s.Store.Events(ctx, from, to, fn)
}

func (s countingStore) Locate(ctx context.Context, kind, id string) (string, error) {
	s.c.add("Locate")
	return s.Store.Locate(ctx, kind, id)
}

// runningKA122 registers org and brings KA122 project id to a signed
// agreement; the clock ends after the project.
func runningKA122(t testing.TB, h *command.Handler, c *clock, id string) {
	t.Helper()
	ctx := context.Background()
	c.set(time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC))
	mustHandle(t, h, school, register())
	if _, err := h.Handle(ctx, command.Request{Command: ka122(id, 1), Actor: school}); err != nil {
		t.Fatalf("submit: %v", err)
	}
	mustHandle(t, h, office, aggregates.AssessEligibility{ProjectID: id, Outcome: aggregates.OutcomeEligible})
	mustHandle(t, h, office, aggregates.DecideApplication{ProjectID: id, Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
	mustHandle(t, h, office, aggregates.SignGrantAgreement{ProjectID: id})
	c.set(time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC))
}

// prepVisit is a valid preparatory visit (it does not count toward
// KA122-MAX-MOB) of project id.
func prepVisit(id, mob string) aggregates.ReportMobility {
	return aggregates.ReportMobility{ProjectID: id, Mobility: aggregates.Mobility{
		MobilityID: mob, ParticipantID: "P-" + mob,
		Personal: aggregates.Personal{FirstName: "Aino", LastName: "Virtanen", BirthDate: date("1980-04-01"), Email: "aino@example.fi"},
		Activity: "OA-PREP-VISIT", StartDate: date("2024-09-02"), EndDate: date("2024-09-04"),
		SendingOrganisation: "Testikoulu", ReceivingOrganisation: "Schule Berlin", SendingCountry: "FI",
		ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100,
	}}
}

// TestKeyedCommandCostsOnePublish counts the round trips of a keyed
// command on a warm handler against the real store: one append (publish),
// no idempotency record written or read (the stream's deduplication and
// the events carry the key), no load; only the office's reference data is
// scanned (one direct-get request that finds nothing new). A retry costs
// no write.
func TestKeyedCommandCostsOnePublish(t *testing.T) {
	st := jsStore(t)
	n := &calls{}
	clk := newClock("2024-01-15T10:00:00Z")
	h := command.New(countingStore{st, n}, domain(t), aggregates.Registry(), clk, command.Config{})
	id := projectID(1)
	runningKA122(t, h, clk, id)
	ctx := context.Background()
	mustHandle(t, h, school, prepVisit(id, "M-WARM"))
	n.take()
	for i := range 5 {
		req := command.Request{Command: prepVisit(id, fmt.Sprintf("M%d", i)), Actor: school, IdempotencyKey: fmt.Sprintf("k-%d", i)}
		if _, err := h.Handle(ctx, req); err != nil {
			t.Fatal(err)
		}
		got := n.take()
		want := map[string]int{"Append": 1, "LoadOrg " + aggregates.OfficeOrg: 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("report %d: calls %v, want %v", i, got, want)
		}
		res, err := h.Handle(ctx, req)
		if err != nil || !res.Replayed {
			t.Fatalf("retry %d: %+v %v", i, res, err)
		}
		if got := n.take(); got["Append"] != 0 {
			t.Fatalf("retry %d wrote: %v", i, got)
		}
	}
}

// TestRetryIsRecognisedFromTheEvents: the events carry the key and the
// start of the request's fingerprint, so a handler that starts cold (a
// restart) answers a retry with the first answer and writes nothing, and
// refuses the key for another request, from the events alone (no record
// beside them, whatever the stream's duplicate window).
func TestRetryIsRecognisedFromTheEvents(t *testing.T) {
	st := jsStore(t)
	clk := newClock("2024-01-15T10:00:00Z")
	h := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	id := projectID(1)
	runningKA122(t, h, clk, id)
	ctx := context.Background()
	req := command.Request{Command: prepVisit(id, "M1"), Actor: school, IdempotencyKey: "once"}
	first, err := h.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	cold := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	again, err := cold.Handle(ctx, req)
	if err != nil || !again.Replayed || again.Sequence != first.Sequence || len(again.Events) != 1 || again.Events[0].ID != first.Events[0].ID {
		t.Fatalf("retry on a cold handler: %+v, %v; first %+v", again, err, first)
	}
	other := req
	other.Command = prepVisit(id, "M2")
	if _, err := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{}).Handle(ctx, other); apperr.As(err).Field != "Idempotency-Key" {
		t.Fatalf("the key reused for another request on a cold handler: %v", err)
	}
	envs, err := st.Load(ctx, events.Ref{Org: org, Kind: aggregates.KindProject, ID: id}, first.Sequence)
	if err != nil || len(envs) != 0 {
		t.Fatalf("written after the first answer: %d events, %v", len(envs), err)
	}
}

// TestRestartLoadsAProjectOnce: right after a restart (a new handler, cold
// cache), concurrent reports into one project load its history once, not
// once per request: the organisation's lock makes the first load the only
// one, and the others decide on the state it built.
func TestRestartLoadsAProjectOnce(t *testing.T) {
	st := jsStore(t)
	clk := newClock("2024-01-15T10:00:00Z")
	h := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	id := projectID(1)
	runningKA122(t, h, clk, id)
	for i := range 50 {
		mustHandle(t, h, school, prepVisit(id, fmt.Sprintf("OLD%02d", i)))
	}
	n := &calls{}
	cold := command.New(countingStore{st, n}, domain(t), aggregates.Registry(), clk, command.Config{})
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = cold.Handle(context.Background(), command.Request{Command: prepVisit(id, fmt.Sprintf("NEW%02d", i)), Actor: school})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
	}
	got := n.take()
	if got["Load"] != 1 || got["Append"] != len(errs) {
		t.Fatalf("calls %v: want one Load of the project and %d appends", got, len(errs))
	}
}

// TestRefusedRetryBeyondTheRememberedKeysIsRecognisedFromTheEvents: a
// report retried after more keyed commands changed its project than a
// handler remembers keys of (64), on a cold handler (a restart), is
// refused on today's state (the mobility is reported) and then recognised
// from the project's events: the first answer again, nothing written. The
// same key with another request is refused as a reuse.
func TestRefusedRetryBeyondTheRememberedKeysIsRecognisedFromTheEvents(t *testing.T) {
	st := jsStore(t)
	clk := newClock("2024-01-15T10:00:00Z")
	h := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	id := projectID(1)
	runningKA122(t, h, clk, id)
	ctx := context.Background()
	req, first := firstThenSeventy(t, h, id)
	last, _ := st.LastSequence(ctx)
	again, err := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{}).Handle(ctx, req)
	if err != nil || !again.Replayed || again.Sequence != first.Sequence || len(again.Events) != 1 || again.Events[0].ID != first.Events[0].ID {
		t.Fatalf("refused retry beyond the remembered keys: %+v, %v; first %+v", again, err, first)
	}
	other := req
	m := prepVisit(id, "M-FIRST")
	m.Mobility.DistanceKm++
	other.Command = m
	if _, err := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{}).Handle(ctx, other); apperr.As(err).Field != "Idempotency-Key" {
		t.Fatalf("the key reused for another request beyond the remembered keys: %v", err)
	}
	if now, _ := st.LastSequence(ctx); now != last {
		t.Fatalf("the retries wrote: last sequence %d, want %d", now, last)
	}
}

// TestRetryBeyondTheRememberedKeysReadsOnlyItsOwnEvents: on a warm
// handler that has forgotten a key (more keyed commands changed the
// project since than it remembers keys of), a retry is answered from the
// key's own events (one read of their sequences), not from the project's
// history, and not decided again (which would fold the project in full to
// find its mobility reported); a refused command under a new key reads
// nothing to learn that it is no retry; the key reused for another
// request is refused from the key's events.
func TestRetryBeyondTheRememberedKeysReadsOnlyItsOwnEvents(t *testing.T) {
	st := jsStore(t)
	n := &calls{}
	clk := newClock("2024-01-15T10:00:00Z")
	h := command.New(countingStore{st, n}, domain(t), aggregates.Registry(), clk, command.Config{})
	id := projectID(1)
	runningKA122(t, h, clk, id)
	ctx := context.Background()
	req, first := firstThenSeventy(t, h, id)
	last, _ := st.LastSequence(ctx)
	n.take()
	again, err := h.Handle(ctx, req)
	if err != nil || !again.Replayed || again.Sequence != first.Sequence || len(again.Events) != 1 || again.Events[0].ID != first.Events[0].ID {
		t.Fatalf("retry beyond the remembered keys: %+v, %v; first %+v", again, err, first)
	}
	if got := n.take(); got["Loaded"] != 0 || got["Events"] != 1 || got["Append"] != 0 {
		t.Fatalf("retry beyond the remembered keys: calls %v, want one Events read of the key's own events and no event loaded", got)
	}
	late := prepVisit(id, "M-LATE")
	late.Mobility.StartDate, late.Mobility.EndDate = date("2025-07-01"), date("2025-07-03") // after the project's end
	if _, err := h.Handle(ctx, command.Request{Command: late, Actor: school, IdempotencyKey: "new"}); apperr.CodeOf(err) != apperr.RuleViolation {
		t.Fatalf("a report after the project's end: %v, want a rule violation", err)
	}
	if got := n.take(); got["Loaded"] != 0 || got["Events"] != 0 {
		t.Fatalf("a refused command under a new key: calls %v, want no event of the project read", got)
	}
	other := req
	m := prepVisit(id, "M-FIRST")
	m.Mobility.DistanceKm++
	other.Command = m
	if _, err := h.Handle(ctx, other); apperr.As(err).Field != "Idempotency-Key" {
		t.Fatalf("the key reused for another request beyond the remembered keys: %v", err)
	}
	if got := n.take(); got["Loaded"] != 0 {
		t.Fatalf("the key reused for another request: calls %v, want no event loaded", got)
	}
	if now, _ := st.LastSequence(ctx); now != last {
		t.Fatalf("the retries wrote: last sequence %d, want %d", now, last)
	}
}

// TestRetryOnAStaleHandlerGetsTheFirstAnswer: two handlers (two
// instances) warm on one project; a report written through one and
// retried through the other, whose state is behind, is answered with the
// first events (the store finds them when the append on the old head
// conflicts), marked as a replay; the stale handler catches up on the
// project, so its next report is decided on the current state.
func TestRetryOnAStaleHandlerGetsTheFirstAnswer(t *testing.T) {
	st := jsStore(t)
	clk := newClock("2024-01-15T10:00:00Z")
	a := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	id := projectID(1)
	runningKA122(t, a, clk, id)
	b := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	ctx := context.Background()
	mustHandle(t, b, school, prepVisit(id, "M-B"))
	mustHandle(t, a, school, prepVisit(id, "M-A"))
	req := command.Request{Command: prepVisit(id, "M1"), Actor: school, IdempotencyKey: "once"}
	first, err := a.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	clk.set(clk.Now().Add(time.Second))
	again, err := b.Handle(ctx, req)
	if err != nil || !again.Replayed || again.Sequence != first.Sequence || len(again.Events) != 1 || again.Events[0].ID != first.Events[0].ID {
		t.Fatalf("retry on the stale handler: %+v, %v; first %+v", again, err, first)
	}
	next, err := b.Handle(ctx, command.Request{Command: prepVisit(id, "M2"), Actor: school, IdempotencyKey: "next"})
	if err != nil || next.Replayed || next.Version != first.Version+1 {
		t.Fatalf("the stale handler's next report: %+v, %v; want version %d", next, err, first.Version+1)
	}
}

// TestKeyedCommandRefusedOnAStaleStateIsDecidedAgain: a handler whose
// cached project is behind another instance's write (the agreement signed
// there) refuses a keyed report on the state it holds, catches the
// project up to look for the key, finds the project moved, and decides
// again on the current state: the report is written.
func TestKeyedCommandRefusedOnAStaleStateIsDecidedAgain(t *testing.T) {
	st := jsStore(t)
	clk := newClock("2024-01-15T10:00:00Z")
	a := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	b := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	id := projectID(1)
	ctx := context.Background()
	mustHandle(t, a, school, register())
	mustHandle(t, a, school, ka122(id, 1))
	mustHandle(t, a, office, aggregates.AssessEligibility{ProjectID: id, Outcome: aggregates.OutcomeEligible})
	mustHandle(t, a, office, aggregates.DecideApplication{ProjectID: id, Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
	clk.set(time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC))
	if _, err := b.Handle(ctx, command.Request{Command: prepVisit(id, "M0"), Actor: school}); err == nil {
		t.Fatal("a report before the agreement was signed was accepted")
	}
	mustHandle(t, a, office, aggregates.SignGrantAgreement{ProjectID: id})
	res, err := b.Handle(ctx, command.Request{Command: prepVisit(id, "M1"), Actor: school, IdempotencyKey: "after-signing"})
	if err != nil || res.Replayed || res.Version != 5 {
		t.Fatalf("a keyed report on the stale handler after the agreement was signed elsewhere: %+v, %v; want version 5 written", res, err)
	}
}

// firstThenSeventy reports M-FIRST into project id under the key "first",
// then 70 more mobilities under keys of their own: more keyed commands
// than a handler remembers keys of for an aggregate (64). It returns the
// first request and its answer.
func firstThenSeventy(t *testing.T, h *command.Handler, id string) (command.Request, command.Result) {
	t.Helper()
	ctx := context.Background()
	req := command.Request{Command: prepVisit(id, "M-FIRST"), Actor: school, IdempotencyKey: "first"}
	first, err := h.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 70 {
		if _, err := h.Handle(ctx, command.Request{Command: prepVisit(id, fmt.Sprintf("M%02d", i)), Actor: school, IdempotencyKey: fmt.Sprintf("k-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	return req, first
}

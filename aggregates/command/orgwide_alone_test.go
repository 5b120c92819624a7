package command_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// ka210 is a small-scale partnership application of call 2024 round 1: its
// decision reads no other project of the organisation and no accreditation
// (aggregates.DecidedAlone).
func ka210(id string) aggregates.SubmitApplication {
	return aggregates.SubmitApplication{
		ProjectID: id, OID: org, Action: aggregates.ActionKA210, Field: aggregates.FieldSchool, CallYear: 2024, Round: 1,
		Title: "Partnership", Partners: []aggregates.Partner{{Name: "Skola", Country: "SE", Role: aggregates.RoleFullPartner}},
		StartDate: date("2024-09-01"), EndDate: date("2025-08-31"), RequestedCents: 6_000_000,
		WorkPackages: []aggregates.WorkPackage{{ID: "WP1", Title: "Management", ShareCents: 2_000_000}, {ID: "WP2", Title: "Exchanges", ShareCents: 4_000_000}},
	}
}

// boundaryStore records the boundary of each append.
type boundaryStore struct {
	events.Store
	mu   sync.Mutex
	wide []bool
}

func (s *boundaryStore) Append(ctx context.Context, req events.AppendRequest) ([]events.Envelope, error) {
	s.mu.Lock()
	s.wide = append(s.wide, req.OrgWide)
	s.mu.Unlock()
	return s.Store.Append(ctx, req)
}

func (s *boundaryStore) take() []bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.wide
	s.wide = nil
	return w
}

// TestApplicationDecidedAloneExpectsItsOwnSubject: an application whose
// rules read no other aggregate of the organisation (KA210) is appended
// expecting its own subject, not grants.<org>.>: another instance's write
// to the organisation since this handler caught up is no conflict, and it
// reads nothing of the organisation first. The rules that read the
// organisation still see that write: the next KA122 application of the
// round, on the same handler, catches up first (the entry is no longer
// whole after an append it cannot place) and is refused.
func TestApplicationDecidedAloneExpectsItsOwnSubject(t *testing.T) {
	st := jsStore(t)
	bs := &boundaryStore{Store: st}
	n := &calls{}
	clk := newClock("2024-01-15T10:00:00Z")
	a := command.New(countingStore{bs, n}, domain(t), aggregates.Registry(), clk, command.Config{})
	b := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
	mustHandle(t, a, school, register())
	mustHandle(t, a, school, ka210("2024-1-FI01-KA210-SCH-000000001"))
	// Another instance writes to the organisation.
	mustHandle(t, b, school, ka122(projectID(1), 1))
	n.take()
	bs.take()
	mustHandle(t, a, school, ka210("2024-1-FI01-KA210-SCH-000000002"))
	want := map[string]int{"Append": 1, "LoadOrg " + aggregates.OfficeOrg: 1}
	if got := n.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("KA210 application after another instance wrote: calls %v, want %v (no conflict, no catch-up)", got, want)
	}
	if w := bs.take(); fmt.Sprint(w) != "[false]" {
		t.Fatalf("KA210 application appended organisation-wide: %v, want [false]", w)
	}
	// CALL-ONE-PER-ROUND reads the organisation: b's KA122 application of
	// round 1 refuses a's, though a never read it before.
	_, err := a.Handle(context.Background(), command.Request{Command: ka122(projectID(2), 1), Actor: school})
	if r := apperr.As(err).Rule; r != "CALL-ONE-PER-ROUND" {
		t.Fatalf("second KA122 application of round 1 after a KA210 one: %v, want CALL-ONE-PER-ROUND", err)
	}
	// A KA122 application of another round is appended organisation-wide.
	bs.take()
	mustHandle(t, a, school, ka122Round2(projectID(3)))
	if w := bs.take(); fmt.Sprint(w) != "[true]" {
		t.Fatalf("KA122 application: appended organisation-wide %v, want [true]", w)
	}
}

// TestApplicationDecidedAloneHoldsUnderConcurrency: instances that each
// hold the organisation submit KA210 applications with one project ID at
// once: the project's own subject is the boundary, so exactly one is
// created and the others are refused as duplicates (none is lost, none is
// created twice).
func TestApplicationDecidedAloneHoldsUnderConcurrency(t *testing.T) {
	st := jsStore(t)
	reg := aggregates.Registry()
	clk := newClock("2024-01-15T10:00:00Z")
	const n = 4
	hs := make([]*command.Handler, n)
	for i := range hs {
		hs[i] = command.New(st, domain(t), reg, clk, command.Config{MaxRetries: 20})
	}
	mustHandle(t, hs[0], school, register())
	for i, h := range hs {
		// Every handler holds the organisation (a KA210 application of
		// its own), so none catches up before the race.
		mustHandle(t, h, school, ka210(fmt.Sprintf("2024-1-FI01-KA210-SCH-%09d", 100+i)))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = h.Handle(context.Background(), command.Request{Command: ka210("2024-1-FI01-KA210-SCH-000000001"), Actor: school})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.CodeOf(err) != apperr.Conflict:
			t.Errorf("submission %d: unexpected error %v", i, err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d simultaneous KA210 applications with one project ID were accepted, want 1", ok, n)
	}
	p, err := command.New(st, domain(t), reg, clk, command.Config{}).Portfolio(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Projects); got != n+1 {
		t.Fatalf("the history holds %d projects, want %d", got, n+1)
	}
}

// TestApplicationOnAColdCacheReadsOnlyTheRegistration: a handler that does
// not hold the organisation (a restart, or an entry the cache let go)
// decides a KA210 application after reading the organisation's own
// aggregate alone, however many projects the organisation has: the same
// reads after 3 and after 30 earlier applications. A duplicate project ID
// is still refused on the cold handler (the append finds the subject
// taken, the project is read, and the rule refuses it), and a retry under
// its first key gets its first answer.
func TestApplicationOnAColdCacheReadsOnlyTheRegistration(t *testing.T) {
	for _, projects := range []int{3, 30} {
		t.Run(fmt.Sprintf("%d projects", projects), func(t *testing.T) {
			st := jsStore(t)
			clk := newClock("2024-01-15T10:00:00Z")
			warm := command.New(st, domain(t), aggregates.Registry(), clk, command.Config{})
			mustHandle(t, warm, school, register())
			var first command.Result
			for i := range projects {
				res, err := warm.Handle(context.Background(), command.Request{Command: ka210(fmt.Sprintf("2024-1-FI01-KA210-SCH-%09d", i)), Actor: school, IdempotencyKey: fmt.Sprintf("k%d", i)})
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = res
				}
			}
			n := &calls{}
			cold := command.New(countingStore{st, n}, domain(t), aggregates.Registry(), clk, command.Config{})
			mustHandle(t, cold, school, ka210("2024-1-FI01-KA210-SCH-100000000"))
			want := map[string]int{"Load": 1, "Loaded": 1, "Append": 1, "LoadOrg " + aggregates.OfficeOrg: 1}
			if got := n.take(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("KA210 application on a cold cache, %d projects before: calls %v, want %v (the registration alone)", projects, got, want)
			}
			// A duplicate of an existing project, under a new key.
			_, err := cold.Handle(context.Background(), command.Request{Command: ka210("2024-1-FI01-KA210-SCH-000000001"), Actor: school, IdempotencyKey: "other"})
			if apperr.CodeOf(err) != apperr.Conflict {
				t.Fatalf("duplicate project ID on a cold cache: %v, want a conflict", err)
			}
			if got := n.take(); got["LoadOrg "+org] != 0 {
				t.Fatalf("duplicate project ID on a cold cache read the whole organisation: %v", got)
			}
			// The first application again, under its key: its first answer.
			res, err := cold.Handle(context.Background(), command.Request{Command: ka210("2024-1-FI01-KA210-SCH-000000000"), Actor: school, IdempotencyKey: "k0"})
			if err != nil {
				t.Fatalf("retry of the first application on a cold cache: %v", err)
			}
			if res.Sequence != first.Sequence || res.Version != first.Version {
				t.Fatalf("retry answered sequence %d version %d, want the first answer's %d/%d", res.Sequence, res.Version, first.Sequence, first.Version)
			}
		})
	}
}

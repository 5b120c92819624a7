package command_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// TestCorrectedDeadlineIsSeenByEveryInstance: two handlers on one real
// JetStream store (two `grants serve`). Handler A has decided with the
// built-in 2026 round 1 of KA122 (19 February); the office corrects the
// deadline through handler B to 12 February; A's next application on 13
// February is refused (CALL-DEADLINE), never admitted on A's stale view.
// A round B publishes for 2027 is open on A at once.
func TestCorrectedDeadlineIsSeenByEveryInstance(t *testing.T) {
	st := jsStore(t)
	reg := aggregates.Registry()
	clk := newClock("2026-02-10T09:00:00Z")
	a := command.New(st, domain(t), reg, clk, command.Config{})
	b := command.New(st, domain(t), reg, clk, command.Config{})
	ctx := context.Background()
	mustHandle(t, a, school, register())
	app := func(id string, year int) aggregates.SubmitApplication {
		c := ka122(id, 1)
		c.CallYear, c.StartDate, c.EndDate = year, date("2026-06-01"), date("2027-05-31")
		if year == 2027 {
			c.StartDate, c.EndDate = date("2027-06-01"), date("2028-05-31")
		}
		return c
	}
	mustHandle(t, a, school, app("P-2026-A", 2026)) // A has read the reference now
	mustHandle(t, b, office, aggregates.CorrectCallRound{Reason: "the call text says 12 February",
		CallRound: aggregates.CallRound{CallYear: 2026, Round: 1, Action: aggregates.ActionKA122, Deadline: date("2026-02-12")}})
	clk.set(clk.Now().AddDate(0, 0, 3)) // 13 February
	_, err := a.Handle(ctx, command.Request{Command: app("P-2026-B", 2026), Actor: school})
	if e := apperr.As(err); err == nil || e.Rule != "CALL-DEADLINE" {
		t.Fatalf("after the correction on B, A answered %v; want CALL-DEADLINE", err)
	}
	mustHandle(t, b, office, aggregates.PublishCallRound{
		CallRound: aggregates.CallRound{CallYear: 2027, Round: 1, Action: aggregates.ActionKA122, Deadline: date("2027-02-18")}})
	res := mustHandle(t, a, school, app("P-2027", 2027))
	if res.Ref.ID != "P-2027" {
		t.Fatalf("result %+v", res)
	}
	// Publishing the same round again, on either instance, is refused.
	_, err = a.Handle(ctx, command.Request{Command: aggregates.PublishCallRound{
		CallRound: aggregates.CallRound{CallYear: 2027, Round: 1, Action: aggregates.ActionKA122, Deadline: date("2027-02-19")}}, Actor: office})
	if apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("publishing a round twice: %v, want a conflict", err)
	}
	// The reference view is what the API serves.
	d, err := a.ReferenceDomain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, dl := range d.Deadlines() {
		if dl.CallYear == 2026 && dl.Round == 1 && dl.Actions[0] == aggregates.ActionKA122 {
			found = dl.Day == date("2026-02-12")
		}
	}
	if !found {
		t.Fatal("the corrected round is not in the reference view")
	}
}

// BenchmarkReferenceCatchUp measures what a command that reads the calls
// or rates pays to bring the reference up to date when nothing changed:
// one direct-get scan of grants.national-office.> on a real JetStream.
func BenchmarkReferenceCatchUp(b *testing.B) {
	st := jsStore(b)
	h := command.New(st, domain(b), aggregates.Registry(), newClock("2026-12-06T09:00:00Z"), command.Config{})
	mustHandle(b, h, office, aggregates.PublishCallRound{
		CallRound: aggregates.CallRound{CallYear: 2027, Round: 1, Action: aggregates.ActionKA122, Deadline: date("2027-02-18")}})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := h.ReferenceDomain(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReferenceViewIsNeverBehindAWriteBeforeTheCall: readers in parallel
// with the office publishing rounds; every read sees at least the rounds
// whose publication had returned when the read began (run with -race).
func TestReferenceViewIsNeverBehindAWriteBeforeTheCall(t *testing.T) {
	st := jsStore(t)
	reg := aggregates.Registry()
	clk := newClock("2026-12-06T09:00:00Z")
	office1 := command.New(st, domain(t), reg, clk, command.Config{})
	reader := command.New(st, domain(t), reg, clk, command.Config{})
	ctx := context.Background()
	var published atomic.Int64
	done := make(chan struct{})
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				want := published.Load()
				d, err := reader.ReferenceDomain(ctx)
				if err != nil {
					errs <- err
					return
				}
				var n int64
				for _, dl := range d.Deadlines() {
					if dl.CallYear == 2030 {
						n++
					}
				}
				if n < want {
					errs <- fmt.Errorf("a read begun after %d publications saw %d", want, n)
					return
				}
			}
		}()
	}
	for r := 1; r <= 9; r++ {
		mustHandle(t, office1, office, aggregates.PublishCallRound{
			CallRound: aggregates.CallRound{CallYear: 2030, Round: r, Action: aggregates.ActionKA122, Deadline: date("2030-02-18")}})
		published.Add(1)
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

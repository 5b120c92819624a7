package command_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// TestIdempotencyKeyRaceAcrossInstancesWritesOnceForOneRequest: two
// handlers (two processes on one stream, no common lock) and an office
// that registers ten different organisations at once under one key. The
// key's record is claimed atomically before the append: exactly one
// registration is written and answered, every other request is refused on
// Idempotency-Key, and a retry of the winner's own request is a replay.
func TestIdempotencyKeyRaceAcrossInstancesWritesOnceForOneRequest(t *testing.T) {
	st := jsStore(t)
	c := newClock("2024-01-15T10:00:00Z")
	hs := []*command.Handler{
		command.New(st, domain(t), aggregates.Registry(), c, command.Config{}),
		command.New(st, domain(t), aggregates.Registry(), c, command.Config{}),
	}
	ctx := context.Background()
	for round := range 10 {
		key := fmt.Sprintf("k-%d", round)
		reqs := make([]command.Request, 10)
		results := make([]command.Result, len(reqs))
		errs := make([]error, len(reqs))
		var wg sync.WaitGroup
		for i := range reqs {
			oid := fmt.Sprintf("E4%03d%04d", round, i)
			reqs[i] = command.Request{Actor: office, IdempotencyKey: key,
				Command: aggregates.RegisterOrganisation{OID: oid, LegalName: "Koulu", Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool}}
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = hs[i%2].Handle(ctx, reqs[i])
			}()
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Fatalf("round %d: requests %d and %d both succeeded", round, winner, i)
				}
				winner = i
				continue
			}
			if e := apperr.As(err); e.Field != "Idempotency-Key" || e.Code != apperr.RuleViolation {
				t.Errorf("round %d: request %d: %v (%s), want a rule violation on Idempotency-Key", round, i, err, e.Code)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nothing succeeded", round)
		}
		if res := results[winner]; res.Replayed || res.Ref.Org != reqs[winner].Command.Target().Org {
			t.Fatalf("round %d: winner's result %+v", round, res)
		}
		for i := range reqs {
			envs, err := st.LoadOrg(ctx, reqs[i].Command.Target().Org, 0)
			if want := map[bool]int{true: 1, false: 0}[i == winner]; err != nil || len(envs) != want {
				t.Fatalf("round %d: organisation of request %d has %d events (%v), want %d", round, i, len(envs), err, want)
			}
		}
		for _, h := range hs {
			if res, err := h.Handle(ctx, reqs[winner]); err != nil || !res.Replayed || res.Sequence != results[winner].Sequence {
				t.Fatalf("round %d: retry of the winner: %+v, %v", round, res, err)
			}
		}
	}
}

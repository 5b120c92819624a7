package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// TestRunGroupsTheCommitsOfAStreamUnderLoad: following the stream, the
// projector commits an event that comes after a quiet moment at once,
// and the events that arrive within CommitInterval of the last commit
// together, in one later commit; stopping commits what it holds.
func TestRunGroupsTheCommitsOfAStreamUnderLoad(t *testing.T) {
	s := openStore(t, testRegistry)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	var (
		mu        sync.Mutex
		committed []uint64
	)
	applied := make(chan uint64, 16)
	progress := make(chan uint64, 16)
	p, err := NewProjector(db, ProjectorConfig{
		CommitInterval: time.Hour, // the later events wait for the stop
		Hooks:          Hooks{AfterApply: func(seq uint64) error { applied <- seq; return nil }},
		Progress: func(seq uint64) {
			mu.Lock()
			committed = append(committed, seq)
			mu.Unlock()
			progress <- seq
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, s) }()
	register := func(i int) uint64 {
		t.Helper()
		oid := fmt.Sprintf("E%08d", i)
		ref := events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid}
		envs, err := s.Append(ctx, events.AppendRequest{Ref: ref,
			Meta:   events.Meta{Actor: events.Actor{UserID: "u", Role: aggregates.RoleNationalOffice}, RecordedAt: testTime},
			Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: "Koulu", Country: "FI", City: "Oulu", Kind: aggregates.OrgSchool}, OccurredAt: testTime}}})
		if err != nil {
			t.Fatal(err)
		}
		return envs[0].Sequence
	}
	wait := func(ch chan uint64, seq uint64, what string) {
		t.Helper()
		for {
			select {
			case got := <-ch:
				if got == seq {
					return
				}
			case err := <-done:
				t.Fatalf("the projector stopped before %s %d: %v", what, seq, err)
			}
		}
	}
	first := register(1)
	wait(progress, first, "committing") // after a quiet moment: at once
	second := register(2)
	wait(applied, second, "applying")
	third := register(3)
	wait(applied, third, "applying")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []uint64{first, third}; !slices.Equal(committed, want) {
		t.Fatalf("commits at %v, want %v: the first at once, the two within the interval together", committed, want)
	}
	if db.Checkpoint() != third {
		t.Fatalf("checkpoint %d, want %d", db.Checkpoint(), third)
	}
}

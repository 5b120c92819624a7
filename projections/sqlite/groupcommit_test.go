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
// and (after a commit of at least GroupAfter events, here 1) the events
// that arrive within CommitInterval of the last commit together, in one
// later commit; stopping commits what it holds.
func TestRunGroupsTheCommitsOfAStreamUnderLoad(t *testing.T) {
	testGroupedCommits(t, 1, true, false)
}

// TestRunCommitsOneEventAtATimeAtOnce: events that come one at a time
// (each commit holds fewer than GroupAfter) are each committed at once,
// however young the last commit: a client writing and then reading
// without Grants-Min-Sequence sees its write as before.
func TestRunCommitsOneEventAtATimeAtOnce(t *testing.T) {
	testGroupedCommits(t, 0, false, false)
}

// TestRunCommitsAtOnceForAWaitingRead: a read waiting for a sequence
// (WaitFor, read-your-writes) has the grouped events committed at once,
// not after CommitInterval (an hour here).
func TestRunCommitsAtOnceForAWaitingRead(t *testing.T) {
	testGroupedCommits(t, 1, true, true)
}

// testGroupedCommits registers three organisations one after the other,
// each once the one before it was applied, with CommitInterval an hour
// and groupAfter as GroupAfter (0: the default), and checks the commits:
// the last two together if grouped, else each at once. With waitFor a
// read then waits for the third, which commits the group at once.
func testGroupedCommits(t *testing.T, groupAfter int, grouped, waitFor bool) {
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
		GroupAfter:     groupAfter,
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
		fail := time.After(time.Minute) // a failure bound, not a pause
		for {
			select {
			case got := <-ch:
				if got == seq {
					return
				}
			case err := <-done:
				t.Fatalf("the projector stopped before %s %d: %v", what, seq, err)
			case <-fail:
				t.Fatalf("no %s of %d within a minute", what, seq)
			}
		}
	}
	first := register(1)
	wait(progress, first, "committing") // after a quiet moment: at once
	second := register(2)
	if grouped {
		wait(applied, second, "applying")
	} else {
		wait(progress, second, "committing")
	}
	third := register(3)
	if grouped {
		wait(applied, third, "applying")
	} else {
		wait(progress, third, "committing")
	}
	if waitFor {
		wctx, wcancel := context.WithTimeout(ctx, time.Minute) // a failure bound, not a pause
		err := db.WaitFor(wctx, third)
		wcancel()
		if err != nil {
			t.Fatalf("a read waiting for %d: %v (checkpoint %d)", third, err, db.Checkpoint())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []uint64{first, second, third}
	if grouped {
		want = []uint64{first, third}
	}
	if !slices.Equal(committed, want) {
		t.Fatalf("commits at %v, want %v", committed, want)
	}
	if db.Checkpoint() != third {
		t.Fatalf("checkpoint %d, want %d", db.Checkpoint(), third)
	}
}

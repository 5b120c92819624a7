package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/internal/history"
)

// openManager opens a Manager on path following s.
func openManager(t testing.TB, path string, s events.Store) *Manager {
	t.Helper()
	m, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// waitCaughtUp waits until m includes every event of s.
func waitCaughtUp(t testing.TB, m *Manager, s events.Store) {
	t.Helper()
	last, err := s.LastSequence(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
}

func TestRebuildEqualsLiveProjection(t *testing.T) {
	s := openStore(t, testRegistry)
	dir := t.TempDir()
	m := openManager(t, filepath.Join(dir, "grants.db"), s)
	// Events arrive while the live projector follows them, in small batches.
	for i := 0; i < 3; i++ {
		if _, err := history.Generate(testCtx(t), s, history.Config{Events: 700, Seed: uint64(i), FirstOrg: i * 1000, MobilitiesPerProject: 15}); err != nil {
			t.Fatal(err)
		}
	}
	waitCaughtUp(t, m, s)
	live, err := m.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	out := filepath.Join(dir, "rebuilt.db")
	seq, err := Rebuild(testCtx(t), s, out, Until{}, func(done, total uint64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if seq != m.Checkpoint() || calls < 2 {
		t.Fatalf("rebuilt up to %d with %d progress calls; live is at %d", seq, calls, m.Checkpoint())
	}
	sameSums(t, live, sum(t, openDB(t, out)))
	if _, err := Rebuild(testCtx(t), s, out, Until{}, nil); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("rebuilding over an existing file: %v", err)
	}
}

func TestRebuildUntilBuildsThePast(t *testing.T) {
	s := openStore(t, testRegistry)
	n := generate(t, s, 1200)
	dir := t.TempDir()
	// The read models as they were at sequence n/2, built two ways.
	half := uint64(n / 2)
	bySeq := filepath.Join(dir, "by-seq.db")
	if _, err := Rebuild(testCtx(t), s, bySeq, Until{Sequence: half}, nil); err != nil {
		t.Fatal(err)
	}
	var at time.Time
	err := s.Events(testCtx(t), half, half, func(e events.Envelope) error { at = e.RecordedAt; return nil })
	if err != nil {
		t.Fatal(err)
	}
	byTime := filepath.Join(dir, "by-time.db")
	seq, err := Rebuild(testCtx(t), s, byTime, Until{Time: at}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := openDB(t, bySeq), openDB(t, byTime)
	if a.Checkpoint() != half {
		t.Fatalf("until sequence %d: checkpoint %d", half, a.Checkpoint())
	}
	// The generator records one append per second; an append of several
	// events shares its time, so the time bound ends at the append's end.
	if seq < half {
		t.Fatalf("until %s: checkpoint %d, before sequence %d recorded then", at, seq, half)
	}
	if seq == half {
		sameSums(t, sum(t, a), sum(t, b))
	}
}

func TestManagerSwapsToRebuiltGenerationWhileServing(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 1500)
	dir := t.TempDir()
	path := filepath.Join(dir, "grants.db")
	m := openManager(t, path, s)
	waitCaughtUp(t, m, s)

	// Writers and readers keep going during the rebuild and the swap.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, err := history.Generate(ctx, s, history.Config{Events: 1500, Seed: 99, FirstOrg: 50_000, MobilitiesPerProject: 10})
		if err != nil && !errors.Is(err, context.Canceled) {
			errs <- err
		}
	}()
	go func() {
		defer wg.Done()
		var last uint64
		for ctx.Err() == nil {
			if _, err := m.Organisation(ctx, "E00000001"); err != nil && ctx.Err() == nil {
				errs <- fmt.Errorf("query during rebuild: %w", err)
				return
			}
			cp := m.Checkpoint()
			if cp < last {
				errs <- fmt.Errorf("checkpoint went back from %d to %d", last, cp)
				return
			}
			last = cp
		}
	}()
	if err := m.Rebuild(testCtx(t), nil); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := filepath.Base(m.Path()); got != "grants.db.gen-1" {
		t.Fatalf("serving from %s after the swap", got)
	}
	b, err := os.ReadFile(path + ".current")
	if err != nil || strings.TrimSpace(string(b)) != "grants.db.gen-1" {
		t.Fatalf("pointer file: %q, %v", b, err)
	}
	// A cancelled append may still land after its writer gave up: settle
	// on a checkpoint that stays put while the checksum is taken.
	var swapped Sum
	var settled uint64
	for {
		waitCaughtUp(t, m, s)
		settled = m.Checkpoint()
		var err error
		if swapped, err = m.Checksum(context.Background()); err != nil {
			t.Fatal(err)
		}
		last, err := s.LastSequence(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if m.Checkpoint() == settled && last == settled {
			break
		}
	}
	// The old generation is deleted once no query uses it.
	for {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			break
		}
		runtimeGosched()
	}
	// A clean build of the same stream equals the swapped, live-followed one.
	clean := filepath.Join(t.TempDir(), "clean.db")
	if _, err := Rebuild(testCtx(t), s, clean, Until{Sequence: settled}, nil); err != nil {
		t.Fatal(err)
	}
	sameSums(t, sum(t, openDB(t, clean)), swapped)
	// A restart opens the generation the pointer names, and deletes what
	// an interrupted rebuild left behind.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	stale := path + ".gen-7"
	if err := os.WriteFile(stale, []byte("half a rebuild"), 0o644); err != nil {
		t.Fatal(err)
	}
	m2 := openManager(t, path, s)
	if filepath.Base(m2.Path()) != "grants.db.gen-1" {
		t.Fatalf("restart opened %s", m2.Path())
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale generation left: %v", err)
	}
}

func TestWaitForReadsYourWritesUnderConcurrentWrites(t *testing.T) {
	s := openStore(t, testRegistry)
	m := openManager(t, filepath.Join(t.TempDir(), "grants.db"), s)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				oid := fmt.Sprintf("E%03d%05d", w, i)
				ref := events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid}
				envs, err := s.Append(context.Background(), events.AppendRequest{Ref: ref,
					Meta: events.Meta{Actor: events.Actor{UserID: "u", Role: aggregates.RoleNationalOffice}, RecordedAt: testTime},
					Events: []events.Draft{{Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: "School " + oid, Country: "FI", City: "Oulu",
						Kind: aggregates.OrgSchool}, OccurredAt: testTime}}})
				if err != nil {
					errs <- err
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				err = m.WaitFor(ctx, envs[0].Sequence)
				cancel()
				if err != nil {
					errs <- err
					return
				}
				if m.Checkpoint() < envs[0].Sequence {
					errs <- fmt.Errorf("WaitFor returned at checkpoint %d before %d", m.Checkpoint(), envs[0].Sequence)
					return
				}
				o, err := m.Organisation(context.Background(), oid)
				if err != nil || o.Name != "School "+oid || o.Sequence != envs[0].Sequence {
					errs <- fmt.Errorf("read after write of %s: %+v, %v", oid, o, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// A sequence the stream has not reached times out as Unavailable.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := m.WaitFor(ctx, m.Checkpoint()+1000)
	if apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("waiting past the stream: %v, want an Unavailable error", err)
	}
	if err := m.WaitFor(ctx, m.Checkpoint()); err != nil {
		t.Fatalf("waiting for a sequence already reached: %v", err)
	}
}

func TestClosedManagerAnswersUnavailable(t *testing.T) {
	s := openStore(t, testRegistry)
	m := openManager(t, filepath.Join(t.TempDir(), "grants.db"), s)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Project(context.Background(), "P"); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("query after close: %v", err)
	}
	if err := m.WaitFor(context.Background(), 1); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("wait after close: %v", err)
	}
}

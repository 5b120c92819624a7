package sqlite

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/internal/history"
)

// logBuf is a concurrency-safe log sink.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// appendOrg registers organisation oid with a legal name that marks its
// record in the block files, and returns the event's sequence.
func appendOrg(t testing.TB, s events.Store, oid, name string) uint64 {
	t.Helper()
	envs, err := s.Append(context.Background(), events.AppendRequest{
		Ref:    events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid},
		Meta:   events.Meta{Actor: events.Actor{UserID: "t", Role: aggregates.RoleNationalOffice}, RecordedAt: testTime},
		Events: []events.Draft{{OccurredAt: testTime, Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: name, Country: "FI", City: "Oulu", Kind: "school"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return envs[0].Sequence
}

// damagedHistory writes a history with two marked organisations, one in
// the middle and one last, optionally builds read models at dbPath while
// the stream is whole, then flips a byte in both records and reopens the
// store. It returns the store and the two sequences NATS drops.
func damagedHistory(t *testing.T, dbPath string) (events.Store, uint64, uint64) {
	t.Helper()
	dir := t.TempDir()
	s, stop := jstest.Open(t, dir, testRegistry)
	generate(t, s, 600)
	middle := appendOrg(t, s, "E99999998", "MARKER-MIDDLE-RECORD")
	if _, err := history.Generate(testCtx(t), s, history.Config{Events: 600, Seed: 8, Workers: 1, AppendSize: 50, MobilitiesPerProject: 20, FirstOrg: 5000}); err != nil {
		t.Fatal(err)
	}
	last := appendOrg(t, s, "E99999999", "MARKER-LAST-RECORD")
	if dbPath != "" {
		if _, err := Rebuild(testCtx(t), s, dbPath, Until{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	jstest.FlipByte(t, dir, []byte("MARKER-MIDDLE-RECORD"))
	jstest.FlipByte(t, dir, []byte("MARKER-LAST-RECORD"))
	s, stop = jstest.Open(t, dir, testRegistry)
	t.Cleanup(stop)
	return s, middle, last
}

// bounded fails the test if fn takes longer than limit (it runs fn with a
// context that ends a little later, so that a hang ends too).
func bounded(t *testing.T, limit time.Duration, fn func(ctx context.Context)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit+10*time.Second)
	defer cancel()
	start := time.Now()
	fn(ctx)
	if took := time.Since(start); took > limit {
		t.Fatalf("took %s, want at most %s", took, limit)
	}
}

func TestRebuildNamesDroppedRecordsAndNeverClaimsCompleteness(t *testing.T) {
	s, middle, last := damagedHistory(t, "")
	want := fmt.Sprintf("%d, %d", middle, last)
	out := filepath.Join(t.TempDir(), "out.db")
	bounded(t, 15*time.Second, func(ctx context.Context) {
		_, err := Rebuild(ctx, s, out, Until{}, nil)
		var inc *IncompleteError
		if !errors.As(err, &inc) || !errors.Is(err, ErrIncomplete) || events.FormatHoles(inc.Holes) != want || !strings.Contains(err.Error(), want) {
			t.Fatalf("Rebuild over dropped records: %v, want an incomplete error naming %s", err, want)
		}
	})
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("an incomplete rebuild left its file: %v", err)
	}
	bounded(t, 15*time.Second, func(ctx context.Context) {
		seq, err := RebuildVerified(ctx, s, out, Until{}, nil, nil, true)
		if !errors.Is(err, ErrIncomplete) || seq != last-1 {
			t.Fatalf("RebuildVerified keeping an incomplete file: %d, %v", seq, err)
		}
	})
	db := openDB(t, out)
	if _, err := db.Organisation(context.Background(), "E99999998"); !errors.Is(err, events.ErrNotFound) && apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("the dropped organisation: %v", err)
	}
}

func TestStartOverDroppedRecordsIsBoundedAndLogged(t *testing.T) {
	for name, built := range map[string]bool{"new read models": false, "read models built before the damage": true} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grants.db")
			s, middle, last := damagedHistory(t, map[bool]string{true: path}[built])
			var logs logBuf
			bounded(t, 15*time.Second, func(ctx context.Context) {
				m, err := OpenManager(ctx, ManagerConfig{Path: path, Source: s, Logger: logs.logger()})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				want := last - 1
				if built {
					want = last // the read models keep what the stream lost
				}
				for m.Checkpoint() < want && ctx.Err() == nil {
					time.Sleep(time.Millisecond)
				}
				if m.Checkpoint() != want || m.Err() != nil {
					t.Fatalf("checkpoint %d (want %d), err %v", m.Checkpoint(), want, m.Err())
				}
				if m.Path() != path {
					t.Fatalf("serving %s, want the file built before the damage kept in place", m.Path())
				}
			})
			if !built && !strings.Contains(logs.String(), "level=ERROR msg=\"events missing from the stream") ||
				!built && !strings.Contains(logs.String(), fmt.Sprintf("sequences=%d", middle)) {
				t.Fatalf("no error naming sequence %d in the log:\n%s", middle, logs.String())
			}
		})
	}
}

// builtManager writes a history, serves read models of it at path until
// caught up, closes them and returns the store and checksum.
func builtManager(t *testing.T, path string) (events.Store, Sum) {
	t.Helper()
	s := openStore(t, testRegistry)
	generate(t, s, 300)
	m, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: s})
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, m, s)
	sum, err := m.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	return s, sum
}

func TestLostStreamRefusesStartAndKeepsTheReadModels(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grants.db")
	_, want := builtManager(t, path)
	empty := openStore(t, testRegistry) // the stream deleted and created again, empty
	_, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: empty})
	if !errors.Is(err, ErrStreamLost) || !strings.Contains(err.Error(), "--accept-stream-loss") {
		t.Fatalf("start on an empty stream: %v, want ErrStreamLost telling how to proceed", err)
	}
	sameSums(t, want, sum(t, openDB(t, path)))

	// Starting over on purpose keeps the old file aside.
	var logs logBuf
	m, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: empty, AcceptStreamLoss: true, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Checkpoint() != 0 {
		t.Fatalf("checkpoint %d after starting over", m.Checkpoint())
	}
	kept, _ := filepath.Glob(path + ".kept-stream-lost-*Z")
	if len(kept) != 1 || !strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("kept %v; log:\n%s", kept, logs.String())
	}
	sameSums(t, want, sum(t, openDB(t, kept[0])))
}

func TestDamagedReadModelsAreRebuiltAndKeptAside(t *testing.T) {
	damages := map[string]func(t *testing.T, path string){
		"not a database": func(t *testing.T, path string) {
			if err := os.WriteFile(path, bytes.Repeat([]byte("not sqlite "), 5000), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"pages overwritten (quick check fails)": func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, _ := f.Stat()
			// Past the first pages (the schema), garbage in the middle of a b-tree.
			if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 20000), st.Size()/2); err != nil {
				t.Fatal(err)
			}
		},
		"migrations fail (checkpoint table gone)": func(t *testing.T, path string) {
			db := openDB(t, path)
			if err := db.w.execScript("DROP TABLE checkpoint"); err != nil {
				t.Fatal(err)
			}
			db.Close()
		},
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grants.db")
			s, want := builtManager(t, path)
			damage(t, path)
			var logs logBuf
			m, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: s, Logger: logs.logger()})
			if err != nil {
				t.Fatalf("start on a damaged file: %v", err)
			}
			defer m.Close()
			waitCaughtUp(t, m, s)
			got, err := m.Checksum(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sameSums(t, want, got)
			kept, _ := filepath.Glob(path + ".kept-damaged-*Z")
			if len(kept) != 1 || !strings.Contains(logs.String(), "level=ERROR msg=\"the read-model file is damaged") || !strings.Contains(logs.String(), path) {
				t.Fatalf("kept %v; log:\n%s", kept, logs.String())
			}
		})
	}
}

// flakySource fails its first failures subscriptions with a transient
// error, then follows the store.
type flakySource struct {
	events.Store
	failures atomic.Int32
}

func (f *flakySource) Subscribe(ctx context.Context, from uint64, fn func(events.Envelope) error) error {
	if f.failures.Add(-1) >= 0 {
		return apperr.New(apperr.Unavailable, "the event store did not answer (injected)")
	}
	return f.Store.Subscribe(ctx, from, fn)
}

func TestProjectorRecoversFromTransientErrors(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 100)
	src := &flakySource{Store: s}
	src.failures.Store(2)
	m, err := OpenManager(context.Background(), ManagerConfig{Path: filepath.Join(t.TempDir(), "grants.db"), Source: src, RetryDelay: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sawErr := false
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m.Err() != nil {
			sawErr = true
		}
		if src.failures.Load() < 0 && m.Err() == nil {
			break
		}
		runtimeGosched()
	}
	if !sawErr || m.Err() != nil {
		t.Fatalf("saw an error %v; error now %v", sawErr, m.Err())
	}
	waitCaughtUp(t, m, s)
	// New events keep being applied.
	generate2 := appendOrg(t, s, "E77777777", "after recovery")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.WaitFor(ctx, generate2); err != nil || m.Err() != nil {
		t.Fatalf("after recovery: %v, %v", err, m.Err())
	}
}

func TestUndecodableEventStopsTheProjectorForGood(t *testing.T) {
	if !persistent(fmt.Errorf("x: %w", ErrUndecodable)) || !persistent(apperr.New(apperr.Internal, "a stored event cannot be read")) ||
		persistent(apperr.New(apperr.Unavailable, "no answer")) || persistent(errors.New("database or disk is full")) {
		t.Fatal("persistent classifies errors wrongly")
	}
}

// TestProjectionResumesAfterAFullDiskFrees fills the read models' disk:
// the projector fails and Err or the lag says so; once the disk frees it
// catches up by itself.
func TestProjectionResumesAfterAFullDiskFrees(t *testing.T) {
	// 16 MiB, not 4: under CI's load the WAL of the first events may
	// not be checkpointed before the disk fills, and a 4 MiB disk freed
	// of its filler then had no room for the WAL of the 40 large events
	// and the checkpoint that copies them into the file (CI saw the
	// projector fail on COMMIT for 30 s after the disk freed).
	disk := jstest.SmallDisk(t, 16)
	s := openStore(t, testRegistry)
	generate(t, s, 50)
	m, err := OpenManager(context.Background(), ManagerConfig{Path: filepath.Join(disk, "grants.db"), Source: s, RetryDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitCaughtUp(t, m, s)
	filler := filepath.Join(disk, "filler")
	jstest.FillDisk(t, filler)
	long := strings.Repeat("Koulu ", 4000)
	var last uint64
	for i := 0; i < 40; i++ {
		last = appendOrg(t, s, fmt.Sprintf("E7%07d", i), fmt.Sprintf("%s %d", long, i))
	}
	deadline := time.Now().Add(30 * time.Second)
	for m.Err() == nil && time.Now().Before(deadline) {
		runtimeGosched()
	}
	if m.Err() == nil || m.Checkpoint() >= last {
		t.Fatalf("the projector neither failed nor lagged on a full disk: err %v, checkpoint %d of %d", m.Err(), m.Checkpoint(), last)
	}
	t.Logf("on a full disk: %v", m.Err())
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.WaitFor(ctx, last); err != nil {
		t.Fatalf("no catch-up after the disk freed: %v (projector: %v)", err, m.Err())
	}
	if m.Err() != nil {
		t.Fatalf("caught up but still failing: %v", m.Err())
	}
}

// shortSource is a stream that ends at limit once limit is set: a stream
// truncated under a running server.
type shortSource struct {
	events.Store
	limit atomic.Uint64
}

func (s *shortSource) LastSequence(ctx context.Context) (uint64, error) {
	last, err := s.Store.LastSequence(ctx)
	if l := s.limit.Load(); l != 0 && l < last {
		last = l
	}
	return last, err
}

func (s *shortSource) Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	if l := s.limit.Load(); l != 0 && (to == 0 || to > l) {
		to = l
	}
	return s.Store.Events(ctx, from, to, fn)
}

func TestRebuildOverATruncatedStreamRefusesInsteadOfWaiting(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 300)
	src := &shortSource{Store: s}
	m, err := OpenManager(context.Background(), ManagerConfig{Path: filepath.Join(t.TempDir(), "grants.db"), Source: src})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitCaughtUp(t, m, s)
	served, cp := m.Path(), m.Checkpoint()
	src.limit.Store(cp - 10)
	bounded(t, 15*time.Second, func(ctx context.Context) {
		if err := m.Rebuild(ctx, nil); !errors.Is(err, ErrStreamLost) {
			t.Fatalf("Rebuild over a truncated stream: %v", err)
		}
	})
	if m.Path() != served || m.Checkpoint() != cp {
		t.Fatalf("serving %s at %d after the refused rebuild, want %s at %d", m.Path(), m.Checkpoint(), served, cp)
	}
}

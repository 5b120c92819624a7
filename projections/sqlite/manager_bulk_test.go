package sqlite

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/internal/history"
	"github.com/erasmus-ledger/grants/projections"
)

// TestColdStartCatchesUpByBulkRebuild proves that a Manager started far
// behind a long stream catches up through a bulk rebuild into a new
// generation (the replay's path), with the same read models as the live
// projector builds, and then follows the stream live; near the stream it
// keeps projecting into its file.
func TestColdStartCatchesUpByBulkRebuild(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 2000)
	dir := t.TempDir()
	live := openDB(t, filepath.Join(dir, "live.db"))
	catchUp(t, live, s, ProjectorConfig{})

	tests := map[string]struct {
		after uint64
		bulk  bool
	}{
		"far behind: bulk rebuild into a new generation": {after: 500, bulk: true},
		"not far enough behind: live catch-up in place":  {after: 1 << 40, bulk: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grants.db")
			m, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: s, BulkCatchUpAfter: tc.after})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			waitCaughtUp(t, m, s)
			if got := m.Path() != path; got != tc.bulk {
				t.Fatalf("serving %s: bulk rebuild %v, want %v", m.Path(), got, tc.bulk)
			}
			got, err := m.Checksum(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sameSums(t, sum(t, live), got)
		})
	}
}

// subscribeCounter counts the projectors that follow its stream.
type subscribeCounter struct {
	projections.Source
	n atomic.Int64
}

func (c *subscribeCounter) Subscribe(ctx context.Context, from uint64, fn func(events.Envelope) error) error {
	c.n.Add(1)
	return c.Source.Subscribe(ctx, from, fn)
}

// TestParkedManagerCatchesUpOnlyThroughItsRebuild proves that a Manager
// opened Parked (grants replay's) projects nothing beside its rebuild: the
// only projector that follows the stream is the swapped-in generation's,
// which builds the same read models and keeps following. Unparked, the
// same short stream is projected live at once (a second projector during a
// rebuild: it made grants replay three times slower).
func TestParkedManagerCatchesUpOnlyThroughItsRebuild(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 300)
	live := openDB(t, filepath.Join(t.TempDir(), "live.db"))
	catchUp(t, live, s, ProjectorConfig{})
	src := &subscribeCounter{Source: s}
	path := filepath.Join(t.TempDir(), "grants.db")
	m, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: src, Parked: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := m.Rebuild(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if m.Path() == path {
		t.Fatalf("still serving %s after the rebuild", path)
	}
	got, err := m.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameSums(t, sum(t, live), got)
	if _, err := history.Generate(testCtx(t), s, history.Config{Events: 20, Seed: 8, Workers: 1, FirstOrg: 7000}); err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(t, m, s)
	if n := src.n.Load(); n != 1 {
		t.Fatalf("%d projectors followed the stream, want 1 (the rebuilt generation's)", n)
	}
}

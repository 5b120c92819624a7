package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/internal/history"
)

// TestRebuildWithCollidingMobilityHashes: a rebuild keys mobility rows by
// a hash of the mobility ID (rowSlots). With a hash that makes most IDs of
// a project collide, reports, corrections and cancellations must still
// reach the right rows: the rebuilt file equals the live one.
func TestRebuildWithCollidingMobilityHashes(t *testing.T) {
	defer func(h func(string) uint64) { slotHash = h }(slotHash)
	slotHash = func(id string) uint64 { return uint64(len(id) + int(id[len(id)-1])%3) }

	out := rebuildEqualsLive(t, 7, nil)

	r, err := out.reader()
	if err != nil {
		t.Fatal(err)
	}
	var corrected, cancelled int
	if err := r.QueryRowContext(context.Background(), "SELECT count(*) FILTER (WHERE status = 'corrected'), count(*) FILTER (WHERE status = 'cancelled') FROM mobilities").Scan(&corrected, &cancelled); err != nil {
		t.Fatal(err)
	}
	if corrected == 0 || cancelled == 0 {
		t.Fatalf("the history corrected %d and cancelled %d mobilities: the test proves nothing", corrected, cancelled)
	}
}

// rebuildEqualsLive generates a history of 3 000 events with seed,
// projects it live, runs before (if set), rebuilds the read models into a
// new file and requires every table's checksum to equal the live one's. It
// returns the rebuilt file.
func rebuildEqualsLive(t *testing.T, seed uint64, before func()) *DB {
	t.Helper()
	s := openStore(t, testRegistry)
	dir := t.TempDir()
	db := openDB(t, filepath.Join(dir, "live.db"))
	if _, err := history.Generate(testCtx(t), s, history.Config{Events: 3000, Seed: seed, MobilitiesPerProject: 40}); err != nil {
		t.Fatal(err)
	}
	catchUp(t, db, s, ProjectorConfig{})
	live := sum(t, db)
	if before != nil {
		before()
	}
	out := filepath.Join(dir, "rebuilt.db")
	if _, err := Rebuild(testCtx(t), s, out, Until{}, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := openDB(t, out)
	sameSums(t, live, sum(t, rebuilt))
	return rebuilt
}

package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestRebuildWithCollidingMobilityHashes: a rebuild keys mobility rows by
// a hash of the mobility ID (rowSlots). With a hash that makes most IDs of
// a project collide, reports, corrections and cancellations must still
// reach the right rows: the rebuilt file equals the live one.
func TestRebuildWithCollidingMobilityHashes(t *testing.T) {
	defer func(h func(string) uint64) { slotHash = h }(slotHash)
	slotHash = func(id string) uint64 { return uint64(len(id) + int(id[len(id)-1])%3) }

	s := openStore(t, testRegistry)
	dir := t.TempDir()
	db := openDB(t, filepath.Join(dir, "live.db"))
	if _, err := GenerateHistory(testCtx(t), s, HistoryConfig{Events: 3000, Seed: 7, MobilitiesPerProject: 40}); err != nil {
		t.Fatal(err)
	}
	catchUp(t, db, s, ProjectorConfig{})
	live := sum(t, db)
	out := filepath.Join(dir, "rebuilt.db")
	if _, err := Rebuild(testCtx(t), s, out, Until{}, nil); err != nil {
		t.Fatal(err)
	}
	sameSums(t, live, sum(t, openDB(t, out)))

	r, err := openDB(t, out).reader()
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

package sqlite

import (
	"context"
	"path/filepath"
	"testing"
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

package sqlite

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLiveFileIsCheckpointedBesideTheWriter: the writer of a live file no
// longer copies its write-ahead log into the file at SQLite's default
// 1 000 pages (its own checkpoint is only a bound, far above what this
// test writes), yet the file takes the committed pages: the checkpointer
// copies them on its own connection.
func TestLiveFileIsCheckpointedBesideTheWriter(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 300)
	path := filepath.Join(t.TempDir(), "grants.db")
	db := openDB(t, path)
	var pages, pageSize int64
	if err := db.w.queryRow("PRAGMA page_size", nil, &pageSize); err != nil {
		t.Fatal(err)
	}
	if err := db.w.queryRow("PRAGMA wal_autocheckpoint", nil, &pages); err != nil || pages*pageSize != walSizeLimit {
		t.Fatalf("the writer's wal_autocheckpoint is %d pages of %d bytes (%v), want %d bytes", pages, pageSize, err, walSizeLimit)
	}
	size := func(p string) int64 {
		st, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return st.Size()
	}
	before := size(path)
	catchUp(t, db, s, ProjectorConfig{})
	if size(path+"-wal") == 0 {
		t.Fatal("nothing was written to the write-ahead log")
	}
	fail := time.Now().Add(time.Minute) // a failure bound, not a pause
	for size(path) <= before {
		if time.Now().After(fail) {
			t.Fatalf("the file is still %d bytes a minute after the commits: no checkpoint ran", size(path))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

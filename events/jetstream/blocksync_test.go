package jetstream

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBlockSyncerSyncsWhatChanged: the syncer records every block file at
// the size it synced, follows appends, new blocks and rewritten files, and
// leaves other files alone.
func TestBlockSyncerSyncsWhatChanged(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string, flag int) {
		t.Helper()
		f, err := os.OpenFile(filepath.Join(dir, name), flag|os.O_WRONLY|os.O_CREATE, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(data); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	b := newBlockSyncer(dir)
	defer b.close()
	syncedAt := func(name string) int64 {
		t.Helper()
		if err := b.Sync(); err != nil {
			t.Fatal(err)
		}
		return b.synced[name].size
	}
	write("1.blk", "aaaa", os.O_APPEND)
	write("index.db", "x", os.O_APPEND)
	if got := syncedAt("1.blk"); got != 4 {
		t.Fatalf("1.blk synced at %d bytes, want 4", got)
	}
	if _, ok := b.synced["index.db"]; ok {
		t.Fatal("a file that is no block was synced")
	}
	write("1.blk", "bb", os.O_APPEND)
	if got := syncedAt("1.blk"); got != 6 {
		t.Fatalf("after an append 1.blk synced at %d bytes, want 6", got)
	}
	write("2.blk", "c", os.O_APPEND)
	if got := syncedAt("2.blk"); got != 1 || b.names != "1.blk/2.blk" {
		t.Fatalf("new block synced at %d bytes, names %q", got, b.names)
	}
	// A rewritten file (compaction writes a new file and renames it).
	write("tmp", "dddddddd", 0)
	if err := os.Rename(filepath.Join(dir, "tmp"), filepath.Join(dir, "1.blk")); err != nil {
		t.Fatal(err)
	}
	if got := syncedAt("1.blk"); got != 8 {
		t.Fatalf("rewritten 1.blk synced at %d bytes, want 8", got)
	}
	b.close()
	if err := b.Sync(); err == nil {
		t.Fatal("a closed syncer synced")
	}
}

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
	if got := syncedAt("2.blk"); got != 1 || b.newest != 2 {
		t.Fatalf("new block synced at %d bytes, newest %d", got, b.newest)
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

// TestBlockSyncerLooksAtTheNewestBlocks: after the first sync a Sync
// checks the newest blocks and those created since, whatever the number of
// older ones; a change in an older block (a deleted message) is made
// durable by SyncAll.
func TestBlockSyncerLooksAtTheNewestBlocks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
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
	for _, n := range []string{"1.blk", "2.blk", "3.blk", "4.blk"} {
		write(n, "a")
	}
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	if b.newest != 4 || len(b.synced) != 4 {
		t.Fatalf("first sync: newest %d, synced %v", b.newest, b.synced)
	}
	write("4.blk", "b")
	write("5.blk", "c")
	write("6.blk", "d")
	write("1.blk", "e") // an older block: left to SyncAll
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	for name, size := range map[string]int64{"4.blk": 2, "5.blk": 1, "6.blk": 1, "1.blk": 1} {
		if got := b.synced[name].size; got != size {
			t.Fatalf("%s synced at %d bytes, want %d", name, got, size)
		}
	}
	if b.newest != 6 || len(b.open) != keepOpen || b.open["5.blk"] == nil || b.open["6.blk"] == nil {
		t.Fatalf("newest %d, open %v", b.newest, b.open)
	}
	if err := b.SyncAll(); err != nil {
		t.Fatal(err)
	}
	if got := b.synced["1.blk"].size; got != 2 {
		t.Fatalf("SyncAll synced 1.blk at %d bytes, want 2", got)
	}
	// Every block gone and the numbering started over: a full sync.
	for _, n := range []string{"1.blk", "2.blk", "3.blk", "4.blk", "5.blk", "6.blk"} {
		if err := os.Remove(filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	write("1.blk", "fff")
	if err := b.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := b.synced["1.blk"].size; got != 3 || b.newest != 1 {
		t.Fatalf("after a purge 1.blk synced at %d bytes, newest %d", got, b.newest)
	}
}

package jstest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/events/jetstream"
)

// BlockDir is where a server storing under storeDir keeps the block files
// of the stream GRANTS (the global account's).
func BlockDir(storeDir string) string {
	return filepath.Join(storeDir, "jetstream", "$G", "streams", jetstream.StreamName, "msgs")
}

// FlipByte flips one byte inside the stored record whose bytes contain
// marker, in a block file of the stream GRANTS under storeDir, so that the
// record fails its checksum. The server must be stopped. marker must occur
// in exactly one record (a unique payload text is a good marker); the
// test fails if it does not occur exactly once.
func FlipByte(t testing.TB, storeDir string, marker []byte) {
	t.Helper()
	blocks, err := filepath.Glob(filepath.Join(BlockDir(storeDir), "*.blk"))
	if err != nil || len(blocks) == 0 {
		t.Fatalf("no block files of stream %s under %s (%v)", jetstream.StreamName, storeDir, err)
	}
	found := 0
	for _, blk := range blocks {
		data, err := os.ReadFile(blk)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(data, marker)
		if i < 0 {
			continue
		}
		if bytes.Contains(data[i+1:], marker) {
			t.Fatalf("marker %q occurs more than once in %s", marker, blk)
		}
		found++
		data[i+len(marker)/2] ^= 0x01
		if err := os.WriteFile(blk, data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if found != 1 {
		t.Fatalf("marker %q found in %d block files, want 1", marker, found)
	}
}

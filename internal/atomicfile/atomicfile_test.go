package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/internal/atomicfile"
)

// TestWriteReplacesWholeOrNotAtAll: a write that succeeds replaces the
// file with the given mode; one that fails leaves the old file as it was
// and no temporary file behind.
func TestWriteReplacesWholeOrNotAtAll(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := atomicfile.Write(path, 0o600, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half of the new")
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("a failed write returned %v, want its error", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "old" {
		t.Fatalf("after a failed write the file holds %q, %v; want the old content", b, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("%d files in the directory, want the file alone", len(ents))
	}
}

package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestDataDirectoryIsPrivate: everything grants serve creates in its data
// directory (event store, read models with personal data, identities) is
// readable by its owner only.
func TestDataDirectoryIsPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, dir)
	s.stop(t)
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %04o: others may read it", path, fi.Mode().Perm())
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "grants.db")); err != nil || n < 5 {
		t.Fatalf("expected the data directory to hold the read models and the store (%d entries): %v", n, err)
	}
}

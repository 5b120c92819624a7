package docs

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestNoLinkOutsideRepository refuses any path into the sibling directory
// the rulebook used to live in: such a link is dead in every clone. The
// needle is built at run time so that this file does not match itself.
func TestNoLinkOutsideRepository(t *testing.T) {
	root := moduleRoot(t)
	needle := []byte("../" + "shared")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == ".git" || d.Name() == "bin" || d.Name() == "data" && filepath.Dir(path) == root) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil // binary
		}
		checked++
		if i := bytes.Index(b, needle); i >= 0 {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s:%d links to %s, outside the repository; link to docs/ instead", rel, bytes.Count(b[:i], []byte("\n"))+1, needle)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d files", checked)
	}
}

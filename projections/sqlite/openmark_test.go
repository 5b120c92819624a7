package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadModelsOpenWhenTheSystemStoppedAreRebuilt: a live file is written
// without fsync under an open mark naming the boot (openmark.go). A clean
// close leaves no mark; a mark of this boot (the process died, the system
// kept its pages) opens the file as it is; a mark of another boot (the
// system stopped while the file was open) rebuilds the read models from
// the stream, and the file replaced goes once the rebuild reached it.
func TestReadModelsOpenWhenTheSystemStoppedAreRebuilt(t *testing.T) {
	if !unsyncedWrites() {
		t.Skip("the boot cannot be told here: live files are synced as before")
	}
	cases := []struct {
		name    string
		mark    func() string // the mark left beside the file; "" for none
		rebuilt bool
	}{
		{"closed cleanly: opened as it is", nil, false},
		{"the process died in this boot: opened as it is", bootID, false},
		{"open when the system stopped: rebuilt", func() string { return "an-earlier-boot" }, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "grants.db")
			s, want := builtManager(t, path)
			if _, err := os.Stat(path + openMarkSuffix); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a clean close left the open mark (stat: %v)", err)
			}
			if c.mark != nil {
				if err := os.WriteFile(path+openMarkSuffix, []byte(c.mark()+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var logs logBuf
			m, err := OpenManager(context.Background(), ManagerConfig{Path: path, Source: s, Logger: logs.logger()})
			if err != nil {
				t.Fatal(err)
			}
			waitCaughtUp(t, m, s)
			got, err := m.Checksum(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sameSums(t, want, got)
			if rebuilt := m.Path() != path; rebuilt != c.rebuilt {
				t.Fatalf("serving %s, rebuilt %v, want %v; log:\n%s", m.Path(), rebuilt, c.rebuilt, logs.String())
			}
			if b, err := os.ReadFile(m.Path() + openMarkSuffix); err != nil || strings.TrimSpace(string(b)) != bootID() {
				t.Fatalf("the served file's open mark: %q, %v; want this boot's", b, err)
			}
			if c.rebuilt {
				if !strings.Contains(logs.String(), "open for writing, without fsync, when the system stopped") {
					t.Errorf("the rebuild is not logged:\n%s", logs.String())
				}
				if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("the replaced file is still there (stat: %v)", err)
				}
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(m.Path() + openMarkSuffix); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a clean close left the open mark (stat: %v)", err)
			}
		})
	}
}

package faultfs_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/erasmus-ledger/grants/internal/faultfs"
)

// TestReadOnlyRefusesEveryChangeThroughOpenDescriptors proves the fault a
// remount cannot give: a file open for writing before the fault stays
// open, its writes and fsyncs answer EROFS, and so does every other
// change; reads go on; healed, the same descriptor writes again.
func TestReadOnlyRefusesEveryChangeThroughOpenDescriptors(t *testing.T) {
	m := faultfs.MountT(t)
	path := filepath.Join(m.Dir(), "a")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("before"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(m.Dir(), "d"), 0o700); err != nil {
		t.Fatal(err)
	}

	m.Set(faultfs.ReadOnly)
	changes := []struct {
		name string
		do   func() error
	}{
		{"write through an open descriptor", func() error { _, err := f.WriteAt([]byte("during"), 0); return err }},
		{"fsync", f.Sync},
		{"ftruncate", func() error { return f.Truncate(1) }},
		{"truncate", func() error { return os.Truncate(path, 1) }},
		{"create", func() error { _, err := os.Create(filepath.Join(m.Dir(), "b")); return err }},
		{"open for writing", func() error { _, err := os.OpenFile(path, os.O_WRONLY, 0); return err }},
		{"rename", func() error { return os.Rename(path, path+".2") }},
		{"unlink", func() error { return os.Remove(path) }},
		{"mkdir", func() error { return os.Mkdir(filepath.Join(m.Dir(), "e"), 0o700) }},
		{"rmdir", func() error { return os.Remove(filepath.Join(m.Dir(), "d")) }},
		{"chmod", func() error { return os.Chmod(path, 0o644) }},
		{"symlink", func() error { return os.Symlink("a", filepath.Join(m.Dir(), "l")) }},
		{"link", func() error { return os.Link(path, filepath.Join(m.Dir(), "h")) }},
	}
	for _, c := range changes {
		if err := c.do(); !errors.Is(err, syscall.EROFS) {
			t.Errorf("%s on a read-only mount: %v, want EROFS", c.name, err)
		}
	}
	buf := make([]byte, 6)
	if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "before" {
		t.Errorf("read on a read-only mount: %q, %v; want before", buf, err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "before" {
		t.Errorf("open and read on a read-only mount: %q, %v; want before", b, err)
	}
	if m.Refused() < uint64(len(changes)) {
		t.Errorf("%d operations counted refused, want at least %d", m.Refused(), len(changes))
	}

	m.Set(faultfs.Healthy)
	if _, err := f.WriteAt([]byte("after!"), 0); err != nil {
		t.Fatalf("write through the same descriptor once healed: %v", err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(m.Backing(), "a")); err != nil || string(b) != "after!" {
		t.Errorf("the backing file holds %q, %v; want after!", b, err)
	}
}

// TestFullRefusesWhatTakesSpace proves the full fault: writes and new
// files answer ENOSPC, removing a file goes on, statfs reports no free
// block; healed, writes go on.
func TestFullRefusesWhatTakesSpace(t *testing.T) {
	m := faultfs.MountT(t)
	path := filepath.Join(m.Dir(), "a")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(filepath.Join(m.Dir(), "old"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	m.Set(faultfs.Full)
	if _, err := f.Write([]byte("x")); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("write on a full mount: %v, want ENOSPC", err)
	}
	if _, err := os.Create(filepath.Join(m.Dir(), "b")); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("create on a full mount: %v, want ENOSPC", err)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(m.Dir(), &st); err != nil || st.Bavail != 0 {
		t.Errorf("statfs on a full mount: %d blocks available, %v; want 0", st.Bavail, err)
	}
	if err := os.Remove(filepath.Join(m.Dir(), "old")); err != nil {
		t.Errorf("unlink on a full mount: %v", err)
	}
	m.Set(faultfs.Healthy)
	if _, err := f.Write([]byte("x")); err != nil {
		t.Errorf("write once healed: %v", err)
	}
}

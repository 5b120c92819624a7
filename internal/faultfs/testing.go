package faultfs

import (
	"os"
	"testing"
)

// MountT mounts a new directory of t's over a new backing directory of
// t's, healthy, and unmounts it when t ends; it skips t where no mount
// can be made (see Available).
func MountT(t testing.TB) *Mount {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("no FUSE mount: %v", err)
	}
	dir, backing := t.TempDir(), t.TempDir()
	return mountAt(t, dir, backing)
}

// MountAtT mounts backing at dir as New does and unmounts it when t ends
// (registered now: clean-ups registered later run before); it skips t
// where no mount can be made.
func MountAtT(t testing.TB, dir, backing string) *Mount {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("no FUSE mount: %v", err)
	}
	for _, d := range []string{dir, backing} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	return mountAt(t, dir, backing)
}

func mountAt(t testing.TB, dir, backing string) *Mount {
	t.Helper()
	m, err := New(dir, backing)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return m
}

package jstest

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

// SmallDisk mounts a tmpfs of mib MiB on a new temporary directory and
// returns it, unmounted when the test ends; it skips the test where
// mounting is not permitted (not root). Register it before anything that
// must be closed before the unmount.
func SmallDisk(t testing.TB, mib int) string {
	t.Helper()
	return SmallDiskAt(t, t.TempDir(), mib)
}

// SmallDiskAt is SmallDisk on the existing directory dir (a process's
// store directory at a path it chooses), hiding what dir held until the
// test ends.
func SmallDiskAt(t testing.TB, dir string, mib int) string {
	t.Helper()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%dm", mib)); err != nil {
		t.Skipf("cannot mount a small tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// FillDisk writes the file path until its file system is full.
func FillDisk(t testing.TB, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 16<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			return
		}
	}
}

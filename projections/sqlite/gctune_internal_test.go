package sqlite

import (
	"math"
	"os"
	"runtime/debug"
	"testing"
)

// TestRebuildMemoryLimit proves what tuneGC does to Go's soft memory
// limit while a rebuild runs, and that it restores the limit after.
func TestRebuildMemoryLimit(t *testing.T) {
	const serveLimit = 300 << 20
	orig := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(orig) })
	env, hadEnv := os.LookupEnv("GOMEMLIMIT")
	if hadEnv {
		os.Unsetenv("GOMEMLIMIT")
		t.Cleanup(func() { os.Setenv("GOMEMLIMIT", env) })
	}
	for _, tc := range []struct {
		name        string
		inForce     int64
		envSet      bool
		limit, want int64
	}{
		{"a lower limit in force (grants serve's) is raised to the rebuild's default", serveLimit, false, 0, rebuildMemoryLimit},
		{"a lower limit in force is raised to the configured one", serveLimit, false, 1 << 30, 1 << 30},
		{"a negative limit keeps the one in force", serveLimit, false, -1, serveLimit},
		{"a higher limit in force is kept", 8 << 30, false, 0, 8 << 30},
		{"no limit in force: the rebuild's bounds the heap", math.MaxInt64, false, 0, rebuildMemoryLimit},
		{"a limit GOMEMLIMIT set is the operator's and kept", serveLimit, true, 0, serveLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.envSet {
				t.Setenv("GOMEMLIMIT", "300MiB")
			}
			debug.SetMemoryLimit(tc.inForce)
			restore := tuneGC(tc.limit)
			if got := debug.SetMemoryLimit(-1); got != tc.want {
				t.Errorf("limit during the rebuild: %d, want %d", got, tc.want)
			}
			restore()
			if got := debug.SetMemoryLimit(-1); got != tc.inForce {
				t.Errorf("limit after the rebuild: %d, want %d restored", got, tc.inForce)
			}
		})
	}
}

package main

import (
	"log/slog"
	"runtime/debug"
)

// defaultMemoryLimitMiB is grants serve's default soft memory limit for
// Go (--memory-limit-mb): with the command cache, SQLite's page caches
// and the binary's own pages it keeps the process's resident memory under
// 400 MB (issue 16). The Go runtime collects garbage more often as its
// heap nears the limit, instead of letting it double after each
// collection (GOGC=100); it is a soft limit, never a cause of failure.
// With --memory-budget-mb (membudget.go) it is the floor of a limit that
// follows what the rest of the process really holds.
const defaultMemoryLimitMiB = 300

// setMemoryLimit sets Go's soft memory limit to mib MiB; 0 leaves the
// runtime's own (GOMEMLIMIT, else none).
func setMemoryLimit(mib int, log *slog.Logger) {
	if mib <= 0 {
		return
	}
	debug.SetMemoryLimit(int64(mib) << 20)
	log.Debug("Go memory limit set", "mib", mib)
}

// defaultGCPercent is grants serve's default for Go's GOGC (--gc-percent):
// the heap may grow to five times the live heap before a collection, up
// to the memory limit, which still bounds it. The collector's work is in
// proportion to how often it runs: at Go's 100 it was about a quarter of
// the server's CPU under a stream of commands (a small live heap,
// collected at every few tens of MB allocated); at 400 it runs a quarter
// as often (report mobility, server CPU per command 490-610 µs -> 404 µs
// under the same load).
const defaultGCPercent = 400

// setGCPercent sets Go's GOGC to percent; 0 leaves the runtime's own (the
// GOGC environment variable, else 100).
func setGCPercent(percent int, log *slog.Logger) {
	if percent <= 0 {
		return
	}
	debug.SetGCPercent(percent)
	log.Debug("Go GC percent set", "percent", percent)
}

// rebuildMemoryLimit is ManagerConfig.RebuildMemoryLimit for
// --rebuild-memory-limit-mb: mib MiB, or -1 (keep the limit in force)
// for 0.
func rebuildMemoryLimit(mib int) int64 {
	if mib <= 0 {
		return -1
	}
	return int64(mib) << 20
}

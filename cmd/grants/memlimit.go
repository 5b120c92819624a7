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

package httpbench

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// probeBytes is what each core hashes in one probe round: about 40 ms of
// SHA-256 on this project's machines.
const probeBytes = 64 << 20

// HostProbe times a fixed CPU-bound task on every core (SHA-256 of
// probeBytes each, three rounds, the median), so that figures measured
// minutes apart can be told apart from the host's own speed: on a shared
// 2-core machine the same build's rates move by a third between runs.
// Nothing else should run while it does.
func HostProbe() time.Duration {
	buf := make([]byte, 64<<10)
	procs := runtime.GOMAXPROCS(0)
	var rounds []time.Duration
	for range 3 {
		start := time.Now()
		var wg sync.WaitGroup
		for range procs {
			wg.Go(func() {
				h := sha256.New()
				for n := 0; n < probeBytes; n += len(buf) {
					h.Write(buf)
				}
				h.Sum(nil)
			})
		}
		wg.Wait()
		rounds = append(rounds, time.Since(start))
	}
	slices.Sort(rounds)
	return rounds[len(rounds)/2]
}

// ProbeLine says what HostProbe measured, beside the first probe of the
// run (base; 0 for the first itself).
func ProbeLine(what string, d, base time.Duration) string {
	if base <= 0 {
		return fmt.Sprintf("host probe before %s: %s (SHA-256 of %d MiB on every core; lower is faster)", what, round(d), probeBytes>>20)
	}
	return fmt.Sprintf("host probe before %s: %s, %.0f%% of the first probe's time", what, round(d), 100*d.Seconds()/base.Seconds())
}

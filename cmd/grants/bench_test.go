package main

import (
	"strings"
	"testing"
)

// TestBenchCommandReportsEveryRate runs `grants bench` small: it must print
// the raw rates beside ours, the replay runs with the raw read before and
// after each, and a verdict on both replay targets.
func TestBenchCommandReportsEveryRate(t *testing.T) {
	out, errOut, code := grants(t, "bench", "--bench-dir", t.TempDir(), "--append-events", "300", "--read-events", "300",
		"--replay-events", "3000", "--replay-runs", "2")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, errOut)
	}
	for _, want := range []string{
		"raw publish", "raw ordered consumer", "replay run 1 of 2", "replay run 2 of 2", " before, ", " after)",
		"raw insert", "median run:", "target: 1 000 000 events in under 10 s", "target: at least 40% of the slower raw rate",
		"sealing (PD-SEALED)", "replay without opening the sealed personal data",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

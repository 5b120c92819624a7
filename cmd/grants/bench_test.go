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
		"sealing (PD-SEALED)", "an analyst's file (grants replay --out, pseudonymous",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
}

// TestHTTPBenchRunsEveryScenario runs `grants bench --http` tiny (one
// second per measurement, small projects): every scenario must print its
// figures, with requests that succeed and none refused. It times nothing.
func TestHTTPBenchRunsEveryScenario(t *testing.T) {
	out, errOut, code := grants(t, "bench", "--http", "--bench-dir", t.TempDir(), "--duration", "1s", "--conns", "4",
		"--many-mobilities", "100", "--orgs", "150", "--memory-commands", "40", "--catchup-events", "300")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s\nstdout: %s", code, errOut, out)
	}
	for _, want := range []string{
		"raw JetStream sync publish, 4 publishers", "GET /healthz",
		"report mobility, fsync, 10 mobilities", "report mobility, fsync, 100 mobilities", "100 vs 10 mobilities",
		"report mobility, os-flush, 10 mobilities", "report mobility, os-flush, 100 mobilities",
		"GET project status, 30 mobilities", "GET project status, 100 mobilities", "% of /healthz",
		"GET 50-mobility page, 60 mobilities", "GET 50-mobility page, 100 mobilities", "100 vs 30 mobilities", "100 vs 60 mobilities",
		"read-your-writes lag", "submit application, 100 organisations", "submit application, 150 organisations",
		"resident memory of grants serve", "report mobility, first 1s after a restart", "generator CPU",
		"target: durable report", "target: relaxed report", "target: status and page", "target: read-your-writes lag",
		"target: submit application", "target: resident memory", "target: the first minute after a restart",
		"cold catch-up of", "target: a cold catch-up in grants serve",
		"host probe before raw publish:", "host probe before relaxed reports:", "of the first probe's time",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	// A request the server refuses (4xx) is a bench that sends wrong
	// commands; a 503 of an overloaded machine is not the bench's fault.
	if strings.Contains(out, "first: status 4") || strings.Contains(out, "(0 ok in ") {
		t.Errorf("requests were refused or none succeeded:\n%s", out)
	}
}

// TestClusterBenchReportsEveryFigure runs `grants bench --cluster` tiny:
// raw R3 publish, the report through 1 and 2 instances with the CPU of
// each side, and a named bottleneck; no request refused. It times nothing.
func TestClusterBenchReportsEveryFigure(t *testing.T) {
	out, errOut, code := grants(t, "bench", "--cluster", "--bench-dir", t.TempDir(), "--duration", "500ms", "--conns", "4", "--cluster-instances", "2")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s\nstdout: %s", code, errOut, out)
	}
	for _, want := range []string{
		"raw R3 publish", "report mobility, 1 API instance", "report mobility, 2 API instances", "% of raw R3 publish",
		"CPU per command: NATS nodes", "replicated writes per command: ", "(GRANTS 1.00", "2 instances vs 1", "bottleneck: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "KV_GRANTS_IDEMPOTENCY") {
		t.Errorf("a command wrote an idempotency record beside its event:\n%s", out)
	}
	if strings.Contains(out, "first: status 4") || strings.Contains(out, "(0 ok in ") {
		t.Errorf("requests were refused or none succeeded:\n%s", out)
	}
}

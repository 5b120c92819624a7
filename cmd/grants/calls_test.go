package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCallsAndRatesFromTheCLI publishes and corrects a call round and a
// rates table with the CLI through a running grants serve (the HTTP API
// and a national-office token), and reads them back.
func TestCallsAndRatesFromTheCLI(t *testing.T) {
	dir := t.TempDir()
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "cli", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	tokenFile := filepath.Join(dir, "office.token")
	if err := os.WriteFile(tokenFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, dir)
	run := func(want int, args ...string) string {
		t.Helper()
		args = append(args, "--url", s.base, "--token-file", tokenFile)
		out, errOut, code := grants(t, args...)
		if code != want {
			t.Fatalf("grants %s: exit %d, want %d: %s%s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out + errOut
	}
	run(0, "calls", "publish", "--call-year", "2031", "--round", "1", "--action", "KA122", "--deadline", "2031-02-18", "--fields", "vet,adult", "--start-from", "2031-06-01")
	// Twice is refused, with the reason; so is a correction without a reason.
	if out := run(2, "calls", "publish", "--call-year", "2031", "--round", "1", "--action", "KA122", "--deadline", "2031-02-18"); !strings.Contains(out, "correct it instead") {
		t.Fatalf("second publish: %s", out)
	}
	if out := run(2, "calls", "correct", "--call-year", "2031", "--round", "1", "--action", "KA122", "--deadline", "2031-02-25"); !strings.Contains(out, "reason") {
		t.Fatalf("correct without reason: %s", out)
	}
	run(0, "calls", "correct", "--call-year", "2031", "--round", "1", "--action", "KA122", "--deadline", "2031-02-25", "--fields", "vet", "--reason", "extended")
	var l struct {
		Rounds []struct {
			Deadline string   `json:"deadline"`
			Fields   []string `json:"fields"`
			Open     bool     `json:"open"`
		} `json:"rounds"`
	}
	if err := json.Unmarshal([]byte(run(0, "calls", "list", "--call-year", "2031", "--json")), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Rounds) != 1 || l.Rounds[0].Deadline != "2031-02-25" || strings.Join(l.Rounds[0].Fields, ",") != "vet" || !l.Rounds[0].Open {
		t.Fatalf("calls list: %+v", l)
	}
	if out := run(0, "calls", "list", "--call-year", "2031"); !strings.Contains(out, "2031-02-25 12:00 Brussels") || !strings.Contains(out, "open") || !strings.Contains(out, "corrected") {
		t.Fatalf("calls list table: %s", out)
	}

	table := run(0, "rates", "show", "--call-year", "2027")
	var tbl map[string]any
	if err := json.Unmarshal([]byte(table), &tbl); err != nil {
		t.Fatal(err)
	}
	tbl["call_year"], tbl["source"], tbl["confirmed"] = 2031, "Programme Guide 2031", true
	b, _ := json.Marshal(tbl)
	file := filepath.Join(dir, "2031.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	run(0, "rates", "publish", "--file", file)
	run(2, "rates", "publish", "--file", file)
	run(0, "rates", "correct", "--file", file, "--reason", "same figures, confirmed")
	if out := run(0, "rates", "list"); !strings.Contains(out, "2031") || !strings.Contains(out, "Programme Guide 2031") {
		t.Fatalf("rates list: %s", out)
	}
	if out := run(2, "rates", "recompute", "--project", "NO-SUCH-PROJECT", "--reason", "r"); !strings.Contains(out, "not found") {
		t.Fatalf("recompute of a missing project: %s", out)
	}
	s.stop(t)
}

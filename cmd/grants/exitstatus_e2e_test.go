package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRuntimeFailuresExitWithStatus1 covers failures of the world, not of
// the command line: a server that cannot be reached, a directory that
// cannot be written, a file a flag names that is missing, an unknown
// token.
func TestRuntimeFailuresExitWithStatus1(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unreachable nats-url", []string{"serve", "--nats-url", "nats://127.0.0.1:1", "--data-dir", t.TempDir(), "--http", "127.0.0.1:0"}, "not reachable"},
		{"data dir not writable", []string{"serve", "--data-dir", filepath.Join(file, "sub"), "--http", "127.0.0.1:0", "--nats-listen", "off"}, "data directory"},
		{"missing nats credentials", []string{"replay", "--nats-creds", filepath.Join(missing, "none.creds"), "--data-dir", t.TempDir()}, "--nats-creds"},
		{"missing rates file", []string{"serve", "--rates-file", filepath.Join(missing, "rates.json"), "--data-dir", t.TempDir(), "--http", "127.0.0.1:0"}, "--rates-file"},
		{"replay into an existing file", []string{"replay", "--out", file, "--data-dir", t.TempDir()}, "exists"},
		{"unknown token", []string{"token", "revoke", "tok_unknown", "--data-dir", t.TempDir(), "--nats-listen", "off"}, "tok_unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := grants(t, c.args...)
			if code != exitFailure || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, want %d; stderr %q should mention %q", code, exitFailure, stderr, c.want)
			}
		})
	}
}

// TestInUseExitsWithStatus3 covers what a supervisor must tell from a
// failure: the data directory locked by a running grants serve, and the
// HTTP or NATS listen address taken by another process.
func TestInUseExitsWithStatus3(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	running := t.TempDir()
	s := startServe(t, running)
	defer s.stop(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"data directory locked", []string{"serve", "--data-dir", running, "--http", "127.0.0.1:0", "--nats-listen", "off"}, "in use by another grants process"},
		{"http port in use", []string{"serve", "--data-dir", t.TempDir(), "--http", taken.Addr().String(), "--nats-listen", "off"}, "--http " + taken.Addr().String() + " is in use"},
		{"nats port in use", []string{"serve", "--data-dir", t.TempDir(), "--http", "127.0.0.1:0", "--nats-listen", taken.Addr().String()}, "--nats-listen " + taken.Addr().String() + " is in use"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := grants(t, c.args...)
			if code != exitInUse || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, want %d; stderr %q should mention %q", code, exitInUse, stderr, c.want)
			}
		})
	}
}

// TestHelpDocumentsTheExitStatuses keeps `grants help` and the statuses
// the binary uses together.
func TestHelpDocumentsTheExitStatuses(t *testing.T) {
	_, stderr, code := grants(t, "help")
	if code != 0 {
		t.Fatalf("grants help: exit %d", code)
	}
	for _, want := range []string{"exit status", "1  runtime failure", "2  usage error", "3  in use", "GRANTS_<COMMAND>_<FLAG>"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("grants help does not say %q:\n%s", want, stderr)
		}
	}
}

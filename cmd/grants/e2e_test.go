package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as the grants binary: with
// GRANTS_TEST_RUN_MAIN=1 it runs main, so end-to-end tests start the real
// program (built with -race like the tests) without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("GRANTS_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// grants runs the program to completion and returns stdout, stderr and the exit status.
func grants(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GRANTS_TEST_RUN_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// served is a running `grants serve`.
type served struct {
	cmd  *exec.Cmd
	base string
	// nats is the embedded server's URL ("in-process only" when it does
	// not listen).
	nats string
	done chan error
}

// startServe starts `grants serve` on a free port and waits for its ready line.
func startServe(t *testing.T, dataDir string) *served {
	t.Helper()
	return startServeListening(t, dataDir, "off")
}

// startServeListening is startServe with the embedded NATS server
// listening on natsListen.
func startServeListening(t *testing.T, dataDir, natsListen string) *served {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--nats-listen", natsListen, "--log-format", "json")
	cmd.Env = append(os.Environ(), "GRANTS_TEST_RUN_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				HTTP string `json:"http"`
				NATS string `json:"nats"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "grants serve ready" {
				addr <- [2]string{line.HTTP, line.NATS}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case a := <-addr:
		s.base, s.nats = "http://"+a[0], a[1]
	case err := <-s.done:
		t.Fatalf("grants serve exited before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("grants serve was not ready within 60 s")
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return s
}

// stop sends SIGTERM and waits for a clean exit.
func (s *served) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("grants serve did not exit cleanly: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("grants serve did not stop within 30 s of SIGTERM")
	}
}

func call(t *testing.T, method, url, token string, body any, hdr map[string]string) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, url, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	if out == nil {
		out = map[string]any{"raw": string(raw)}
	}
	return resp.StatusCode, resp.Header, out
}

// TestServeEndToEnd starts the real program, sends a command over HTTP,
// reads it back, stops the process, starts it again and finds nothing lost.
func TestServeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "e2e", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)

	s := startServe(t, dir)
	org := map[string]any{"oid": "E10000001", "legal_name": "Testikoulu", "country": "FI", "city": "Helsinki", "kind": "school"}
	st, hdr, body := call(t, "POST", s.base+"/v1/organisations", token, org, map[string]string{"Idempotency-Key": "e2e-1"})
	if st != http.StatusCreated && st != http.StatusOK {
		t.Fatalf("register: %d %v", st, body)
	}
	seq := hdr.Get("Grants-Sequence")
	if seq == "" {
		t.Fatal("no Grants-Sequence header on the command's answer")
	}
	st, _, body = call(t, "GET", s.base+"/v1/organisations/E10000001", token, nil, map[string]string{"Grants-Min-Sequence": seq})
	if st != http.StatusOK || orgName(body) != "Testikoulu" {
		t.Fatalf("read back: %d %v", st, body)
	}
	// A retried command (same key) writes nothing and answers the same.
	st2, _, again := call(t, "POST", s.base+"/v1/organisations", token, org, map[string]string{"Idempotency-Key": "e2e-1"})
	if st2 != st && st2 != http.StatusCreated && st2 != http.StatusOK {
		t.Fatalf("idempotent retry: %d %v", st2, again)
	}
	s.stop(t)

	s = startServe(t, dir)
	st, _, body = call(t, "GET", s.base+"/v1/organisations/E10000001", token, nil, map[string]string{"Grants-Min-Sequence": seq})
	if st != http.StatusOK || orgName(body) != "Testikoulu" {
		t.Fatalf("after restart: %d %v", st, body)
	}
	st, _, body = call(t, "GET", s.base+"/v1/organisations/E10000001/verification", token, nil, nil)
	if st != http.StatusOK {
		t.Fatalf("hash chain verification after restart: %d %v", st, body)
	}
	t.Logf("verification: %v", body)
	if v, _ := body["events"].(float64); v != 1 {
		t.Fatalf("verification covers %v events, want exactly 1 (the retried command must not write again)", body["events"])
	}
	s.stop(t)
}

// TestBadInputExitsWithStatus2AndWritesNothing covers malformed flags, an
// unreachable --nats-url and a data directory that cannot be written.
func TestBadInputExitsWithStatus2AndWritesNothing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "never-created")
	cases := []struct {
		name string
		args []string
		env  string
		want string
	}{
		{"unknown flag", []string{"serve", "--no-such-flag"}, "", "no-such-flag"},
		{"malformed duration", []string{"serve", "--duplicate-window", "soon", "--data-dir", fresh}, "", "duplicate-window"},
		{"malformed environment", []string{"serve", "--data-dir", fresh}, "GRANTS_REPLICAS=three", "GRANTS_REPLICAS"},
		{"bad http address", []string{"serve", "--http", "nowhere", "--data-dir", fresh}, "", "--http"},
		{"unreachable nats-url", []string{"serve", "--nats-url", "nats://127.0.0.1:1", "--data-dir", fresh, "--http", "127.0.0.1:0"}, "", "not reachable"},
		{"data dir not writable", []string{"serve", "--data-dir", filepath.Join(file, "sub"), "--http", "127.0.0.1:0", "--nats-listen", "off"}, "", "data directory"},
		{"unknown durability", []string{"serve", "--durability", "maybe", "--data-dir", fresh, "--http", "127.0.0.1:0"}, "", "durability"},
		{"missing nats credentials", []string{"replay", "--nats-creds", filepath.Join(fresh, "none.creds"), "--data-dir", fresh}, "", "--nats-creds"},
		{"two kinds of nats credentials", []string{"replay", "--nats-creds", file, "--nats-nkey", file, "--data-dir", fresh}, "", "not both"},
		{"unknown command", []string{"frobnicate"}, "", "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], c.args...)
			cmd.Env = append(os.Environ(), "GRANTS_TEST_RUN_MAIN=1")
			if c.env != "" {
				cmd.Env = append(cmd.Env, c.env)
			}
			var errb bytes.Buffer
			cmd.Stderr = &errb
			err := cmd.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 {
				t.Fatalf("exit %v, want status 2; stderr: %s", err, errb.String())
			}
			msg := strings.TrimSpace(errb.String())
			if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, c.want) {
				t.Fatalf("stderr %q: want one line mentioning %q", msg, c.want)
			}
			if _, err := os.Stat(fresh); err == nil {
				t.Fatalf("%s was created although the command failed", fresh)
			}
		})
	}
}

func orgName(body map[string]any) string {
	o, _ := body["organisation"].(map[string]any)
	n, _ := o["name"].(string)
	return n
}

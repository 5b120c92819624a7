package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/internal/history"
)

// grantsWithin is grants bounded in time: a run still going after limit
// is killed and fails the test.
func grantsWithin(t *testing.T, limit time.Duration, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GRANTS_TEST_RUN_MAIN=1")
	var errb strings.Builder
	cmd.Stderr = &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("grants %s did not finish within %s", strings.Join(args, " "), limit)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return errb.String(), code
}

// logLines collects a process's stderr.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

// find returns the first line containing every part.
func (l *logLines) find(parts ...string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return line, true
		}
	}
	return "", false
}

// serveLogged starts `grants serve` with args added and returns its
// stderr lines as they come and a channel that closes when it exits.
func serveLogged(t *testing.T, dataDir string, args ...string) (*logLines, *exec.Cmd, chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--data-dir", dataDir, "--http", "127.0.0.1:0", "--nats-listen", "off", "--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "GRANTS_TEST_RUN_MAIN=1")
	// Killed with the test process too (a time-out ends it without its
	// clean-ups): no instance is left behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &logLines{}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			logs.add(sc.Text())
		}
	}()
	done := make(chan error, 1)
	go func() { <-read; done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return logs, cmd, done
}

// waitLog polls logs until a line holds every part, the process exits or
// limit passes.
func waitLog(t *testing.T, logs *logLines, done chan error, limit time.Duration, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if line, ok := logs.find(parts...); ok {
			return line
		}
		select {
		case err := <-done:
			done <- err
			if line, ok := logs.find(parts...); ok {
				return line
			}
			t.Fatalf("grants serve exited (%v) without logging %q:\n%s", err, parts, strings.Join(logs.lines, "\n"))
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no log line with %q within %s:\n%s", parts, limit, strings.Join(logs.lines, "\n"))
	return ""
}

// writeHistory writes a history of more than a thousand events into the
// data directory's store, the organisations E99999998 (in the middle) and
// E99999999 (last) marked by their names, and returns their sequences.
func writeHistory(t *testing.T, dataDir string) (middle, last uint64) {
	t.Helper()
	store, stop := jstest.Open(t, filepath.Join(dataDir, "nats"), aggregates.Registry())
	defer stop()
	ctx := context.Background()
	org := func(oid, name string) uint64 {
		envs, err := store.Append(ctx, events.AppendRequest{
			Ref:    events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid},
			Meta:   events.Meta{Actor: events.Actor{UserID: "t", Role: aggregates.RoleNationalOffice}, RecordedAt: time.Now()},
			Events: []events.Draft{{OccurredAt: time.Now(), Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: name, Country: "FI", City: "Oulu", Kind: "school"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return envs[0].Sequence
	}
	for i, seed := range []uint64{1, 2} {
		if _, err := history.Generate(ctx, store, history.Config{Events: 600, Seed: seed, Workers: 1, AppendSize: 50, MobilitiesPerProject: 20, FirstOrg: i * 1000}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			middle = org("E99999998", "MARKER-MIDDLE-RECORD")
		}
	}
	return middle, org("E99999999", "MARKER-LAST-RECORD")
}

// TestDroppedRecordsAreReportedAndNothingHangs flips a byte in a middle
// and in the last record: grants replay ends within a bound, names both
// sequences and exits with status 1; grants serve starts within a bound,
// logs an error naming each, and turns ready.
func TestDroppedRecordsAreReportedAndNothingHangs(t *testing.T) {
	dir := t.TempDir()
	middle, last := writeHistory(t, dir)
	// Read models built while the stream was whole: their checkpoint is
	// the record about to be lost (the start hung on this for ever).
	if _, errOut, code := grants(t, "replay", "--data-dir", dir, "--nats-listen", "off"); code != 0 {
		t.Fatalf("replay of the whole stream: %d %s", code, errOut)
	}
	jstest.FlipByte(t, filepath.Join(dir, "nats"), []byte("MARKER-MIDDLE-RECORD"))
	jstest.FlipByte(t, filepath.Join(dir, "nats"), []byte("MARKER-LAST-RECORD"))

	errOut, code := grantsWithin(t, 60*time.Second, "replay", "--data-dir", dir, "--nats-listen", "off")
	want := fmt.Sprintf("%d, %d", middle, last)
	if code != 1 || !strings.Contains(errOut, "incomplete") || !strings.Contains(errOut, want) {
		t.Fatalf("grants replay: exit %d, stderr %s; want status 1 naming sequences %s", code, errOut, want)
	}

	logs, cmd, done := serveLogged(t, dir, "--hole-check-delay", "0s")
	waitLog(t, logs, done, 60*time.Second, `"msg":"grants serve ready"`)
	for _, seq := range []uint64{middle, last} {
		waitLog(t, logs, done, 60*time.Second, `"level":"ERROR"`, "events missing from the stream", fmt.Sprintf(`"sequences":"%d"`, seq))
	}
	line, _ := logs.find(`"msg":"grants serve ready"`)
	var base string
	if i := strings.Index(line, `"http":"`); i >= 0 {
		base = "http://" + strings.SplitN(line[i+8:], `"`, 2)[0]
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready within 30 s over the dropped last record: %v %v", resp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	<-done
}

// TestDeletedStreamRefusesStartAndKeepsTheReadModels deletes the stream
// under read models that hold its events: grants serve refuses to start
// and leaves grants.db as it was; --accept-stream-loss starts over and
// keeps it aside.
func TestDeletedStreamRefusesStartAndKeepsTheReadModels(t *testing.T) {
	dir := t.TempDir()
	_, last := writeHistory(t, dir)
	if _, errOut, code := grants(t, "replay", "--data-dir", dir, "--nats-listen", "off"); code != 0 {
		t.Fatalf("replay: %d %s", code, errOut)
	}
	db := filepath.Join(dir, "grants.db")
	files, _ := filepath.Glob(db + "*")
	before := map[string]int64{}
	for _, f := range files {
		st, _ := os.Stat(f)
		before[f] = st.Size()
	}
	if err := os.RemoveAll(filepath.Join(dir, "nats", "jetstream", "$G", "streams", "GRANTS")); err != nil {
		t.Fatal(err)
	}

	logs, _, done := serveLogged(t, dir)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("grants serve started on a deleted stream")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("grants serve neither refused nor started within 60 s")
	}
	if _, ok := logs.find("lost events", fmt.Sprint(last), "--accept-stream-loss"); !ok {
		t.Fatalf("no clear refusal:\n%s", strings.Join(logs.lines, "\n"))
	}
	for f, size := range before {
		if st, err := os.Stat(f); err != nil || (st.Size() != size && !strings.HasSuffix(f, "-shm")) {
			t.Fatalf("%s changed after the refused start: %v", f, err)
		}
	}

	logs, cmd, done := serveLogged(t, dir, "--accept-stream-loss")
	waitLog(t, logs, done, 60*time.Second, `"msg":"grants serve ready"`)
	kept, _ := filepath.Glob(filepath.Join(dir, "*.kept-stream-lost-*Z"))
	if len(kept) != 1 {
		t.Fatalf("kept %v", kept)
	}
	_ = cmd.Process.Signal(os.Interrupt)
	<-done
}

// readyStatus returns the status of GET base/readyz (0 when unreachable).
func readyStatus(base string) int {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestServeWritesResumeAfterAFullDiskFrees runs grants serve on a small
// tmpfs: once the disk is full a command fails and /readyz says not
// ready; once it frees, /readyz turns ready and commands succeed again,
// without a restart.
func TestServeWritesResumeAfterAFullDiskFrees(t *testing.T) {
	dir := jstest.SmallDisk(t, 24)
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "disk", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	logs, cmd, done := serveLogged(t, dir)
	line := waitLog(t, logs, done, 60*time.Second, `"msg":"grants serve ready"`)
	base := "http://" + strings.SplitN(line[strings.Index(line, `"http":"`)+8:], `"`, 2)[0]
	register := func(n int) int {
		org := map[string]any{"oid": fmt.Sprintf("E2%07d", n), "legal_name": fmt.Sprintf("Koulu %d", n), "country": "FI", "city": "Oulu", "kind": "school"}
		st, _, _ := call(t, "POST", base+"/v1/organisations", token, org, map[string]string{"Idempotency-Key": fmt.Sprintf("disk-%d", n)})
		return st
	}
	if st := register(1); st != http.StatusCreated {
		t.Fatalf("register before the disk fills: %d", st)
	}
	filler := filepath.Join(dir, "filler")
	jstest.FillDisk(t, filler)
	// Commands in rounds of eight at once (each waits for its writes to
	// time out once the disk is full) until one fails.
	created := []int{1}
	n, failed := 2, 0
	for round := 0; round < 10 && failed == 0; round++ {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for range 8 {
			k := n
			n++
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := register(k)
				mu.Lock()
				defer mu.Unlock()
				if st == http.StatusCreated {
					created = append(created, k)
				} else {
					failed = st
				}
			}()
		}
		wg.Wait()
	}
	if failed == 0 {
		t.Fatal("commands kept succeeding on a full disk")
	}
	t.Logf("a command answered %d on the full disk after %d were created", failed, len(created))
	poll := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 60 s", what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	poll("/readyz not ready on a full disk", func() bool { return readyStatus(base) == http.StatusServiceUnavailable })
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	poll("/readyz ready after the disk freed", func() bool { return readyStatus(base) == http.StatusOK })
	if st := register(n); st != http.StatusCreated {
		t.Fatalf("a new command after the disk freed: %d", st)
	}
	// Every command acknowledged, before or during the outage, is there.
	for _, k := range created {
		poll(fmt.Sprintf("organisation %d readable", k), func() bool {
			st, _, _ := call(t, "GET", fmt.Sprintf("%s/v1/organisations/E2%07d", base, k), token, nil, nil)
			return st == http.StatusOK
		})
	}
	_ = cmd.Process.Signal(os.Interrupt)
	<-done
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/internal/faultfs"
)

// minSeqStatus is the status and content type of a query of base that
// must reflect sequence seq (0: any).
func minSeqStatus(base, token string, seq uint64) (int, string) {
	st, ctype, _ := minSeqRead(base, token, seq)
	return st, ctype
}

// minSeqRead is minSeqStatus with the sequence the answer says it reflects
// (its Grants-Sequence header; 0 when it has none).
func minSeqRead(base, token string, seq uint64) (int, string, uint64) {
	req, _ := http.NewRequest("GET", base+"/v1/organisations?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if seq > 0 {
		req.Header.Set("Grants-Min-Sequence", fmt.Sprint(seq))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error(), 0
	}
	resp.Body.Close()
	at, _ := strconv.ParseUint(resp.Header.Get("Grants-Sequence"), 10, 64)
	return resp.StatusCode, resp.Header.Get("Content-Type"), at
}

// probeAt sends one new command of the load, once, to base and returns
// the answer's status, content type and body; an acknowledged one counts
// among the load's (it must be in the stream).
func (l *faultLoad) probeAt(base string, n int) (int, string, string) {
	c := l.command(98, n)
	c.key = fmt.Sprintf("%s-probe-at-%d", l.prefix, n)
	return l.sendOnce(base, c)
}

// since returns the lines logged after the first n, and how many there
// are in all.
func (l *logLines) since(n int) ([]string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines[min(n, len(l.lines)):]...), len(l.lines)
}

// checkLoggedOnce fails the test when instance logs, from line n on,
// hold more warnings and errors than a fault logged once (the projector,
// /readyz, the WAL checkpointer) and its requests refused one by one
// (request failed) would, and returns the count of each kind.
func checkLoggedOnce(t *testing.T, logs *logLines, n int, fault string) (faultLines, requestLines int) {
	t.Helper()
	lines, _ := logs.since(n)
	var found []string
	for _, line := range lines {
		if !strings.Contains(line, `"level":"WARN"`) && !strings.Contains(line, `"level":"ERROR"`) {
			continue
		}
		if strings.Contains(line, `"msg":"request failed"`) {
			requestLines++
			continue
		}
		found = append(found, line)
	}
	// One each from the projector, /readyz and the WAL checkpointer, and
	// as many again should the failing statement change.
	if len(found) > 6 {
		t.Errorf("%s logged %d warnings and errors besides the refused requests, want it logged once:\n%s", fault, len(found), strings.Join(found, "\n"))
	}
	return len(found), requestLines
}

// checkReadRefused polls until instance base says it is not ready and
// answers a read at the stream's newest sequence with a 503 problem, and
// returns that answer.
func checkReadRefused(t *testing.T, l *ledger, load *faultLoad, base, fault string) string {
	t.Helper()
	pollFor(t, 2*time.Minute, "instance 0 not ready on "+fault, func() bool { return readyStatus(base) == http.StatusServiceUnavailable })
	var answer string
	pollFor(t, 2*time.Minute, "instance 0 refuses a read it cannot make current on "+fault, func() bool {
		last, err := l.store.LastSequence(context.Background())
		if err != nil {
			return false
		}
		st, ctype, at := minSeqRead(base, load.token, last)
		answer = fmt.Sprintf("%d %s", st, ctype)
		if st == http.StatusOK && at < last {
			// Stale data is a 200 at a sequence it has not reached. A
			// 200 that reflects the sequence asked for is right: the
			// read models held it before the fault (no command came
			// since on a slow machine); the next ones will not.
			t.Errorf("instance 0 on %s answered a read at sequence %d with 200, reflecting sequence %d", fault, last, at)
		}
		return st == http.StatusServiceUnavailable && ctype == "application/problem+json"
	})
	return answer
}

// TestFaultInstanceDataDirectoryFullThenReadOnly gives one instance of two
// a full disk under its read models, then a read-only data directory, both
// under load and while it runs: commands go on (the stream is elsewhere);
// the instance says it is not ready and answers a read it cannot make
// current with a 503 problem, never stale data; a command sent to it is
// acknowledged or refused with a 503 problem, never acknowledged and lost;
// once the fault clears it catches up without a restart. Restarted on a
// read-only data directory it refuses to start, naming the directory,
// while the other instance serves; once writable it starts and catches up.
// Nothing acknowledged is lost, and every instance's read models equal a
// fresh replay.
//
// The data directory is a FUSE mount (internal/faultfs) over a small
// tmpfs: the disk fills for real, and the read-only fault answers EROFS
// through the files the instance holds open, which no remount can do.
func TestFaultInstanceDataDirectoryFullThenReadOnly(t *testing.T) {
	plan := nodePlanFor()
	f := newFleet(t, standaloneNATS(t), 2)
	dir := f.instances[0].dir
	disk := dir + ".disk"
	if err := os.MkdirAll(disk, 0o750); err != nil {
		t.Fatal(err)
	}
	// Room for the read models of the load (the long one writes about
	// ten thousand commands) and their write-ahead log, which may grow to
	// its bound (64 MiB, projections/sqlite walSizeLimit) before it starts
	// anew, until the filler takes the rest.
	mib := 128
	if faultsLong() {
		mib = 384
	}
	jstest.SmallDiskAt(t, disk, mib)
	mnt := faultfs.MountAtT(t, dir, disk)
	// The instances die before the mount goes (clean-ups run last first).
	t.Cleanup(f.killAll)
	l := f.openLedger()
	load, stopLoad := f.startLoad(l, "5data", plan.workers)
	load.waitAcks(t, 2*time.Minute, "the load runs", 20)
	base := f.bases()[0]
	pid := f.instances[0].cmd.Pid

	// A full disk under instance 0's read models.
	logs := f.instances[0].logs
	_, logged := logs.since(0)
	filler := filepath.Join(disk, "filler")
	jstest.FillDisk(t, filler)
	load.waitAcks(t, 2*time.Minute, "instance 0's disk full", plan.between)
	t.Logf("instance 0 on a full disk: /readyz 503; a read at the newest sequence: %s", checkReadRefused(t, l, load, base, "a full disk"))
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pollFor(t, 3*time.Minute, "instance 0 ready again after the disk freed", func() bool { return readyStatus(base) == http.StatusOK })
	t.Logf("instance 0 ready again %s after the disk freed, without a restart", time.Since(start).Round(time.Millisecond))
	load.waitAcks(t, 2*time.Minute, "instance 0's disk freed", plan.between)
	faultLines, requestLines := checkLoggedOnce(t, logs, logged, "a full disk")
	t.Logf("instance 0 logged the full disk in %d warnings and errors, and %d refused requests", faultLines, requestLines)

	// Instance 0's data directory turns read-only under it.
	refusedBefore := mnt.Refused()
	_, logged = logs.since(0)
	readOnlyAt := time.Now()
	mnt.Set(faultfs.ReadOnly)
	load.waitAcks(t, 2*time.Minute, "instance 0's data directory read-only", plan.between)
	t.Logf("instance 0 on a read-only data directory: /readyz 503; a read at the newest sequence: %s", checkReadRefused(t, l, load, base, "a read-only data directory"))
	answers := map[string]int{}
	for i := range 10 {
		st, ctype, body := load.probeAt(base, i)
		if st != http.StatusCreated && st != http.StatusOK && (st != http.StatusServiceUnavailable || ctype != "application/problem+json") {
			t.Errorf("a command to instance 0 on a read-only data directory: %d %s %s; want it acknowledged or a 503 problem", st, ctype, body)
		}
		answers[fmt.Sprintf("%d %s", st, ctype)]++
	}
	t.Logf("commands sent to instance 0 on a read-only data directory: %v", answers)
	if st, ctype := minSeqStatus(base, load.token, 0); st != http.StatusOK {
		t.Errorf("a read without Grants-Min-Sequence on a read-only data directory: %d %s, want 200 (the read models are read-only, not gone)", st, ctype)
	}
	load.waitAcks(t, 2*time.Minute, "instance 0's data directory still read-only", plan.between)
	mnt.Set(faultfs.Healthy)
	start = time.Now()
	pollFor(t, 3*time.Minute, "instance 0 ready again after its data directory turned writable", func() bool { return readyStatus(base) == http.StatusOK })
	t.Logf("instance 0 ready again %s after its data directory turned writable (read-only for %s), without a restart",
		time.Since(start).Round(time.Millisecond), start.Sub(readOnlyAt).Round(time.Millisecond))
	if p := f.instances[0].cmd; p == nil || p.Pid != pid {
		t.Fatalf("instance 0 was restarted")
	}
	load.waitAcks(t, 2*time.Minute, "instance 0's data directory writable", plan.between)
	faultLines, requestLines = checkLoggedOnce(t, logs, logged, "a read-only data directory")
	t.Logf("instance 0 logged the read-only data directory in %d warnings and errors, and %d refused requests; %d file operations refused", faultLines, requestLines, mnt.Refused()-refusedBefore)

	// A read-only data directory when instance 0 starts again.
	f.kill(0)
	mnt.Set(faultfs.ReadOnly)
	logs, _, done := serveLogged(t, dir, f.args()...)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("grants serve started on a read-only data directory")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("grants serve neither refused nor started on a read-only data directory within 2 minutes")
	}
	line, ok := logs.find("not writable", dir)
	if !ok {
		line = strings.Join(logs.lines, "\n")
		t.Errorf("no clear refusal naming %s:\n%s", dir, line)
	}
	t.Logf("instance 0 started on a read-only data directory: %s", line)
	load.waitAcks(t, 2*time.Minute, "instance 0 refused to start", plan.between)
	mnt.Set(faultfs.Healthy)
	f.start(0)
	load.waitAcks(t, 2*time.Minute, "instance 0 back", plan.between)

	stopLoad()
	sent, acked := load.res.counts()
	t.Logf("%d commands sent, %d acknowledged; %s", sent, acked, load.res)
	tallyStream(t, l, load.res)
	load.checkNoRefusals(t)
	checkReadModels(t, f, l)
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
)

// readOnly makes dir read-only until the returned function runs: a
// read-only bind mount over it for root (whom permissions do not stop),
// else its permission bits. It must hold no file open for writing (the
// kernel refuses to make a mount read-only under a writer).
func readOnly(t *testing.T, dir string) (restore func()) {
	t.Helper()
	if os.Geteuid() == 0 {
		if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
			t.Fatalf("bind mount of %s: %v", dir, err)
		}
		if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
			t.Fatalf("read-only remount of %s: %v", dir, err)
		}
		done := false
		restore = func() {
			if !done {
				done = true
				if err := syscall.Unmount(dir, 0); err != nil {
					t.Errorf("unmounting the read-only %s: %v", dir, err)
				}
			}
		}
	} else {
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		restore = func() { _ = os.Chmod(dir, 0o750) }
	}
	t.Cleanup(restore)
	return restore
}

// minSeqStatus is the status and content type of a query of base that
// must reflect sequence seq.
func minSeqStatus(base, token string, seq uint64) (int, string) {
	req, _ := http.NewRequest("GET", base+"/v1/organisations?limit=1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Grants-Min-Sequence", fmt.Sprint(seq))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Content-Type")
}

// TestFaultInstanceDataDirectoryFullThenReadOnly gives one instance of two
// a full disk under its read models, then a read-only data directory,
// under load: commands go on (the stream is elsewhere); the instance
// says it is not ready and answers a read it cannot make current with a
// 503 problem, never stale data; once the disk frees it catches up without
// a restart. Restarted on a read-only data directory it refuses to start,
// naming the directory, while the other instance serves; once writable it
// starts and catches up. Nothing acknowledged is lost, and every
// instance's read models equal a fresh replay.
func TestFaultInstanceDataDirectoryFullThenReadOnly(t *testing.T) {
	plan := nodePlanFor()
	f := newFleet(t, standaloneNATS(t), 2)
	dir := f.instances[0].dir
	if err := os.MkdirAll(dir, 0o750); err != nil {
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
	jstest.SmallDiskAt(t, dir, mib)
	l := f.openLedger()
	load, stopLoad := f.startLoad(l, "5data", plan.workers)
	load.waitAcks(t, 2*time.Minute, "the load runs", 20)

	// A full disk under instance 0's read models.
	base := f.bases()[0]
	filler := filepath.Join(dir, "filler")
	jstest.FillDisk(t, filler)
	load.waitAcks(t, 2*time.Minute, "instance 0's disk full", plan.between)
	pollFor(t, 2*time.Minute, "instance 0 not ready on a full disk", func() bool { return readyStatus(base) == http.StatusServiceUnavailable })
	var answer string
	pollFor(t, 2*time.Minute, "instance 0 refuses a read it cannot make current", func() bool {
		last, err := l.store.LastSequence(context.Background())
		if err != nil {
			return false
		}
		st, ctype := minSeqStatus(base, load.token, last)
		answer = fmt.Sprintf("%d %s", st, ctype)
		return st == http.StatusServiceUnavailable && ctype == "application/problem+json"
	})
	t.Logf("instance 0 on a full disk: /readyz 503; a read at the newest sequence: %s", answer)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pollFor(t, 3*time.Minute, "instance 0 ready again after the disk freed", func() bool { return readyStatus(base) == http.StatusOK })
	t.Logf("instance 0 ready again %s after the disk freed, without a restart", time.Since(start).Round(time.Millisecond))
	load.waitAcks(t, 2*time.Minute, "instance 0's disk freed", plan.between)

	// A read-only data directory when instance 0 starts again.
	f.kill(0)
	restore := readOnly(t, dir)
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
	t.Logf("instance 0 on a read-only data directory: %s", line)
	load.waitAcks(t, 2*time.Minute, "instance 0 refused to start", plan.between)
	restore()
	f.start(0)
	load.waitAcks(t, 2*time.Minute, "instance 0 back", plan.between)

	stopLoad()
	sent, acked := load.res.counts()
	t.Logf("%d commands sent, %d acknowledged; %s", sent, acked, load.res)
	tallyStream(t, l, load.res)
	load.checkNoRefusals(t)
	checkReadModels(t, f, l)
}

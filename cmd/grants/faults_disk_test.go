package main

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// watchEvery is how often the fault tests' watcher looks at the nodes.
const watchEvery = 250 * time.Millisecond

// TestFaultFullDiskOnOneNATSNode fills the disk of one node of three under
// the load of several instances, then frees it: nothing acknowledged is
// lost or written twice, writes go on, and once its disk has room again
// the watcher enables the node's JetStream without a restart and the node
// catches up.
func TestFaultFullDiskOnOneNATSNode(t *testing.T) {
	plan := nodePlanFor()
	dir := t.TempDir()
	store := filepath.Join(dir, "n1", "jetstream") // node 0's store directory (natscluster names its nodes n1, n2, ...)
	if err := os.MkdirAll(store, 0o750); err != nil {
		t.Fatal(err)
	}
	jstest.SmallDiskAt(t, store, 64)
	c := natscluster.StartTest(t, natscluster.Config{Dir: dir})
	natscluster.WatchTest(t, c, natscluster.WatchConfig{Every: watchEvery, MinFree: 8 << 20, Pause: 5 * time.Second})
	pid0 := c.Pid(0)
	f := newFleet(t, natsOf(c), plan.instances)
	l := f.openLedger()
	load, stopLoad := f.startLoad(l, "4disk", plan.workers)
	load.waitAcks(t, 2*time.Minute, "the load runs", 20)

	// The node whose disk fills leads the stream: the worst case.
	leadOn(t, c, l.nc, 0)
	filler := filepath.Join(store, "filler")
	jstest.FillDisk(t, filler)
	t.Logf("node 0's disk full at %s", time.Now().UTC().Format("15:04:05.000"))
	took := load.waitAcks(t, 2*time.Minute, "node 0's disk full", plan.between)
	t.Logf("node 0's disk full: %d more commands acknowledged within %s", plan.between, took.Round(time.Millisecond))
	ctx0, cancel0 := context.WithTimeout(context.Background(), 5*time.Second)
	st, leaders, err := nodeStreams(ctx0, c, 0)
	cancel0()
	t.Logf("node 0 on a full disk: %v %v %v", st["GRANTS"], leaders["GRANTS"], err)
	// nats-server disables JetStream on a node whose store fails a write.
	pollFor(t, time.Minute, "node 0's JetStream disabled on its full disk", func() bool {
		ok, err := c.JetStreamEnabled(context.Background(), 0)
		return err == nil && !ok
	})
	// The disk stays full a while: the watcher must not enable JetStream
	// on a disk without room (it would only fail again).
	time.Sleep(3 * watchEvery)
	if enabled, _ := c.JetStreamEnabled(context.Background(), 0); enabled {
		var sf syscall.Statfs_t
		_ = syscall.Statfs(store, &sf)
		t.Fatalf("node 0's JetStream enabled again while its disk is still full (%d bytes free)", sf.Bavail*uint64(sf.Bsize))
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	freed := time.Now()
	// nats-server enables JetStream again only on a configuration reload
	// (SIGHUP); the watcher (grants cluster watch, started by grants
	// cluster up) sends it once the store has room: no restart of the node,
	// and no one has to act.
	pollFor(t, 2*time.Minute, "node 0's JetStream enabled again by the watcher", func() bool {
		ok, err := c.JetStreamEnabled(context.Background(), 0)
		return err == nil && ok
	})
	t.Logf("node 0's JetStream enabled again %s after its disk had room", time.Since(freed).Round(time.Millisecond))
	if c.Pid(0) != pid0 {
		t.Fatalf("node 0 restarted (pid %d, was %d); want it recovered in place", c.Pid(0), pid0)
	}
	load.waitAcks(t, 2*time.Minute, "node 0's disk freed", plan.between)
	stopLoad()
	// Node 0 catches up: its copy of the stream reaches the leader's.
	pollFor(t, 2*time.Minute, "node 0's copy of the stream catches up", func() bool {
		last := nodeLastSeq(t, c, 0)
		return last > 0 && last == nodeLastSeq(t, c, streamLeader(t, c))
	})
	sent, acked := load.res.counts()
	t.Logf("%d commands sent, %d acknowledged; %s", sent, acked, load.res)
	tallyStream(t, l, load.res)
	load.checkNoRefusals(t)
	checkReadModels(t, f, l)
}

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// TestFaultFullDiskOnOneNATSNode fills the disk of one node of three under
// the load of several instances, then frees it: nothing acknowledged is
// lost or written twice, writes go on, and the node catches up once its
// disk has room again.
func TestFaultFullDiskOnOneNATSNode(t *testing.T) {
	plan := nodePlanFor()
	dir := t.TempDir()
	store := filepath.Join(dir, "n1", "jetstream") // node 0's store directory (natscluster names its nodes n1, n2, ...)
	if err := os.MkdirAll(store, 0o750); err != nil {
		t.Fatal(err)
	}
	jstest.SmallDiskAt(t, store, 64)
	c := natscluster.StartTest(t, natscluster.Config{Dir: dir})
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
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// nats-server disables JetStream on a node whose disk is full ("JetStream
	// out of resources, will be DISABLED") and enables it again on a
	// configuration reload (SIGHUP): no restart of the node.
	if err := c.Reload(0); err != nil {
		t.Fatal(err)
	}
	load.waitAcks(t, 2*time.Minute, "node 0's disk freed", plan.between)
	stopLoad()
	sent, acked := load.res.counts()
	t.Logf("%d commands sent, %d acknowledged; %s", sent, acked, load.res)
	tallyStream(t, l, load.res)
	load.checkNoRefusals(t)
	checkReadModels(t, f, l)
}

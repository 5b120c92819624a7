package natscluster_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/internal/natscluster"
)

func connect(t *testing.T, c *natscluster.Cluster, seed string) *nats.Conn {
	t.Helper()
	opt, err := nats.NkeyOptionFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(c.URL(), opt, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// TestClusterReplicatesAndSurvivesAKilledNode proves the harness: a
// three-node cluster with a meta leader, an R3 stream whose writes
// continue when a node is killed, and the node catching up on restart.
func TestClusterReplicatesAndSurvivesAKilledNode(t *testing.T) {
	c := natscluster.StartTest(t, natscluster.Config{})
	if len(c.Nodes) != 3 {
		t.Fatalf("%d nodes, want 3", len(c.Nodes))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	js, err := jetstream.New(connect(t, c, c.Creds.Serve))
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t.1", []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := c.Kill(0); err != nil {
		t.Fatal(err)
	}
	if c.Running(0) {
		t.Fatal("node 0 runs after Kill")
	}
	// Writes go on with two nodes of three (retried while a new leader
	// is elected; the message ID keeps a retry of a write whose answer
	// was lost from storing it twice).
	// Each attempt has a deadline of its own: a request sent while the
	// stream has no leader gets no answer, and waiting for it with the
	// test's whole minute left no time for the retry.
	for {
		actx, acancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.Publish(actx, "t.2", []byte("two"), jetstream.WithMsgID("two"))
		acancel()
		if err == nil {
			break
		} else if ctx.Err() != nil {
			t.Fatalf("no write with two nodes of three: %v", err)
		}
	}
	if err := c.StartNode(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
		t.Fatalf("stream after the restart: %d messages, cluster %+v; want 2 messages on 3 replicas", info.State.Msgs, info.Cluster)
	}
}

// TestClusterIdentitiesKeepTheirLimits proves the service identity may
// not publish events: the cluster carries the trust issue's permissions.
func TestClusterIdentitiesKeepTheirLimits(t *testing.T) {
	c := natscluster.StartTest(t, natscluster.Config{})
	nc := connect(t, c, c.Creds.Service)
	errs := make(chan error, 1)
	nc.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err })
	if err := nc.Publish("grants.x", []byte("forged")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		t.Logf("refused as expected: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the service identity published to grants.> without a permissions violation")
	}
	if _, err := nats.Connect(c.URL()); err == nil {
		t.Fatal("an unauthenticated client connected to the cluster")
	}
}

// TestLoadFindsTheRunningCluster proves a second process (grants cluster
// status, down) finds the nodes by the directory alone and stops them.
func TestLoadFindsTheRunningCluster(t *testing.T) {
	c := natscluster.StartTest(t, natscluster.Config{})
	again, err := natscluster.Load(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again.Nodes {
		if again.Pid(i) != c.Pid(i) || again.Pid(i) == 0 {
			t.Fatalf("node %d: Load sees pid %d, the starter %d", i, again.Pid(i), c.Pid(i))
		}
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range c.Nodes {
		if c.Running(i) {
			t.Fatalf("node %d runs after the loaded cluster's Close", i)
		}
	}
}

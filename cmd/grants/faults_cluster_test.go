package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// clusterNATS starts a three-node cluster (stopped when the test ends)
// that the instances reach with its serve identity, every stream and
// bucket with three replicas.
func clusterNATS(t *testing.T) (faultNATS, *natscluster.Cluster) {
	t.Helper()
	c := natscluster.StartTest(t, natscluster.Config{})
	return natsOf(c), c
}

// natsOf is how the instances and the test reach cluster c.
func natsOf(c *natscluster.Cluster) faultNATS {
	return faultNATS{cluster: c, url: c.URL(), args: []string{"--nats-nkey", c.Creds.Serve}, replicas: 3,
		connect: func() (*nats.Conn, error) {
			o, err := nats.NkeyOptionFromSeed(c.Creds.Serve)
			if err != nil {
				return nil, err
			}
			return nats.Connect(c.URL(), o, nats.Name("grants-faults"), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
		}}
}

// streamState is one node's copy of a stream.
type streamState struct {
	Messages uint64 `json:"messages"`
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
}

// nodeStreams returns node i's own state of every stream (its /jsz), and
// the leader of each as the node knows it.
func nodeStreams(ctx context.Context, c *natscluster.Cluster, i int) (map[string]streamState, map[string]string, error) {
	url := fmt.Sprintf("http://127.0.0.1:%d/jsz?accounts=true&streams=true", c.Nodes[i].MonitorPort)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	var jsz struct {
		Accounts []struct {
			Streams []struct {
				Name    string      `json:"name"`
				State   streamState `json:"state"`
				Cluster struct {
					Leader string `json:"leader"`
				} `json:"cluster"`
			} `json:"stream_detail"`
		} `json:"account_details"`
	}
	if err := json.Unmarshal(body, &jsz); err != nil {
		return nil, nil, fmt.Errorf("node %d /jsz: %w", i, err)
	}
	states, leaders := map[string]streamState{}, map[string]string{}
	for _, a := range jsz.Accounts {
		for _, s := range a.Streams {
			states[s.Name], leaders[s.Name] = s.State, s.Cluster.Leader
		}
	}
	return states, leaders, nil
}

// sameStreamsEverywhere polls until every node holds every stream in the
// same state (a node that rejoined has caught up), failing the test after
// limit; it returns the GRANTS stream's last sequence.
func sameStreamsEverywhere(t *testing.T, c *natscluster.Cluster, limit time.Duration) uint64 {
	t.Helper()
	var last string
	var seq uint64
	pollFor(t, limit, "every node holds the same streams", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		first, _, err := nodeStreams(ctx, c, 0)
		if err != nil || len(first) == 0 {
			last = fmt.Sprint(err)
			return false
		}
		for i := 1; i < len(c.Nodes); i++ {
			other, _, err := nodeStreams(ctx, c, i)
			if err != nil || !reflect.DeepEqual(first, other) {
				last = fmt.Sprintf("node 0 %v; node %d %v (%v)", first, i, other, err)
				return false
			}
		}
		seq = first["GRANTS"].LastSeq
		return true
	})
	if seq == 0 {
		t.Fatalf("no GRANTS stream on the nodes: %s", last)
	}
	return seq
}

// streamLeader returns the node (index) leading the GRANTS stream.
func streamLeader(t *testing.T, c *natscluster.Cluster) int {
	t.Helper()
	leader := -1
	pollFor(t, time.Minute, "the GRANTS stream has a leader", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for i := range c.Nodes {
			if !c.Running(i) {
				continue
			}
			_, leaders, err := nodeStreams(ctx, c, i)
			if err != nil {
				continue
			}
			for j, n := range c.Nodes {
				if n.Name == leaders["GRANTS"] {
					leader = j
					return true
				}
			}
		}
		return false
	})
	return leader
}

// nodePlan is how a node test loads the cluster: instances and workers,
// how many rounds of faults and how many acknowledgements between them.
type nodePlan struct {
	instances, workers, rounds, between int
}

// nodePlanFor is the short plan (make test) or the long one (make faults).
func nodePlanFor() nodePlan {
	if faultsLong() {
		return nodePlan{instances: 3, workers: 12, rounds: 3, between: 2000}
	}
	return nodePlan{instances: 2, workers: 6, rounds: 1, between: 30}
}

// TestFaultKilledServeInstancesOnTheClusterLoseNothing is the kill -9 test
// of grants serve instances on the three-node cluster (R3).
func TestFaultKilledServeInstancesOnTheClusterLoseNothing(t *testing.T) {
	plan := killPlanFor()
	nc, _ := clusterNATS(t)
	f := newFleet(t, nc, plan.instances)
	loadWhileKilling(t, f, f.openLedger(), plan, "6kill")
}

// TestFaultNATSNodesStopDuringTheLoad stops NATS nodes under the load of
// several instances: with the GRANTS stream's leader killed, writes go on
// after a short pause and the node rejoins and catches up; with two of
// three killed, writes are refused with a 503 problem, and resume when one
// returns. Nothing acknowledged is lost or written twice, every node ends
// with the same streams, and every instance's read models equal a fresh
// replay.
func TestFaultNATSNodesStopDuringTheLoad(t *testing.T) {
	plan := nodePlanFor()
	nc, c := clusterNATS(t)
	f := newFleet(t, nc, plan.instances)
	l := f.openLedger()
	load, stopLoad := f.startLoad(l, "2node", plan.workers)
	node := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	rejoin := func(i int) {
		t.Helper()
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer scancel()
		node(fmt.Sprintf("starting node %d", i), c.StartNode(sctx, i))
	}
	load.waitAcks(t, 2*time.Minute, "the load runs", 20)
	probes := 0
	for round := range plan.rounds {
		a := streamLeader(t, c)
		node("killing the stream leader", c.Kill(a))
		pause := load.waitAcks(t, 2*time.Minute, fmt.Sprintf("node %d (the stream leader) down", a), 20)
		t.Logf("round %d: node %d (the GRANTS leader) killed: 20 more commands acknowledged within %s", round, a, pause.Round(time.Millisecond))
		rejoin(a)
		sctx, scancel := context.WithTimeout(context.Background(), 2*time.Minute)
		node("the cluster ready again", c.WaitReady(sctx))
		scancel()
		// Under the load, the node that rejoined catches up: it reaches
		// what the stream's leader held when it came back.
		leader := streamLeader(t, c)
		target := nodeLastSeq(t, c, leader)
		start := time.Now()
		pollFor(t, 2*time.Minute, fmt.Sprintf("node %d catches up to sequence %d", a, target), func() bool { return nodeLastSeq(t, c, a) >= target })
		t.Logf("round %d: node %d back: caught up to sequence %d within %s", round, a, target, time.Since(start).Round(time.Millisecond))
		load.waitAcks(t, 2*time.Minute, fmt.Sprintf("node %d back", a), plan.between)

		b, d := (a+1)%len(c.Nodes), (a+2)%len(c.Nodes)
		node("killing a second node", c.Kill(b))
		node("killing a third node", c.Kill(d))
		var refusal string
		pollFor(t, 2*time.Minute, "a command refused with a 503 problem while two nodes of three are down", func() bool {
			probes++
			status, ctype, body := load.probe(probes)
			if status == http.StatusOK || status == http.StatusCreated {
				t.Fatalf("a command was acknowledged with two nodes of three down: %d %s", status, body)
			}
			refusal = fmt.Sprintf("%d %s %s", status, ctype, body)
			return status == http.StatusServiceUnavailable && ctype == "application/problem+json"
		})
		t.Logf("round %d: nodes %d and %d killed: %s", round, b, d, refusal)
		rejoin(b)
		start = time.Now()
		pollFor(t, 2*time.Minute, "a command acknowledged once a second node is back", func() bool {
			probes++
			status, _, _ := load.probe(probes)
			return status == http.StatusOK || status == http.StatusCreated
		})
		t.Logf("round %d: node %d back: writes acknowledged again within %s", round, b, time.Since(start).Round(time.Millisecond))
		rejoin(d)
		sctx, scancel = context.WithTimeout(context.Background(), 2*time.Minute)
		node("the cluster ready again", c.WaitReady(sctx))
		scancel()
		load.waitAcks(t, 2*time.Minute, "every node back", plan.between)
	}
	stopLoad()
	sent, acked := load.res.counts()
	t.Logf("%d commands sent, %d acknowledged; %s", sent, acked, load.res)
	tallyStream(t, l, load.res)
	load.checkNoRefusals(t)
	checkReadModels(t, f, l)
}

// leadOn moves the GRANTS stream's leadership to node i (a step-down
// naming it as preferred), polling until it leads.
func leadOn(t *testing.T, c *natscluster.Cluster, nc *nats.Conn, i int) {
	t.Helper()
	req := fmt.Sprintf(`{"placement":{"preferred":%q}}`, c.Nodes[i].Name)
	pollFor(t, time.Minute, fmt.Sprintf("node %d leads the GRANTS stream", i), func() bool {
		if streamLeader(t, c) == i {
			return true
		}
		_, _ = nc.Request("$JS.API.STREAM.LEADER.STEPDOWN.GRANTS", []byte(req), 5*time.Second)
		return false
	})
}

// nodeLastSeq is the last sequence of node i's copy of the GRANTS stream
// (0 when it cannot say).
func nodeLastSeq(t *testing.T, c *natscluster.Cluster, i int) uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, _, err := nodeStreams(ctx, c, i)
	if err != nil {
		return 0
	}
	return st["GRANTS"].LastSeq
}

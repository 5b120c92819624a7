package main

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/internal/httpbench"
)

// killPlan is how long a kill test loads the fleet and how often it kills
// an instance.
type killPlan struct {
	instances, workers int
	load, every        time.Duration
}

// killPlanFor is the short plan (make test) or the long one (make faults).
func killPlanFor() killPlan {
	if faultsLong() {
		return killPlan{instances: 3, workers: 12, load: 2 * time.Minute, every: 3 * time.Second}
	}
	return killPlan{instances: 2, workers: 6, load: 6 * time.Second, every: 2 * time.Second}
}

// seedProjects writes two running projects that the load reports
// mobilities to (from every instance at once).
func seedProjects(t *testing.T, l *ledger) []httpbench.Project {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seeded, err := httpbench.Seed(ctx, l.store, 0, []httpbench.Group{{Name: "faults", Projects: 2}})
	if err != nil {
		t.Fatal(err)
	}
	return seeded.Groups["faults"]
}

// loadWhileKilling runs the load on f for plan.load, killing (SIGKILL) one
// instance after another every plan.every and starting it again, then
// checks that every acknowledged command is in the stream exactly once
// and that every instance's read models equal a fresh replay.
func loadWhileKilling(t *testing.T, f *fleet, l *ledger, plan killPlan, prefix string) faultTally {
	t.Helper()
	token := l.officeToken(t)
	projects := seedProjects(t, l)
	f.startAll()
	load := newFaultLoad(f, token, prefix, projects)
	ctx, cancel := context.WithTimeout(context.Background(), plan.load)
	defer cancel()
	loaded := make(chan struct{})
	go func() { load.run(ctx, plan.workers); close(loaded) }()
	kills := 0
	for {
		select {
		case <-ctx.Done():
		case <-time.After(plan.every): // the pace of the kills, not a wait for a condition
		}
		if ctx.Err() != nil {
			break
		}
		i := kills % len(f.instances)
		f.kill(i)
		kills++
		f.start(i)
	}
	<-loaded
	sent, acked := load.res.counts()
	t.Logf("%d kills; %d commands sent, %d acknowledged; %s", kills, sent, acked, load.res)
	if kills == 0 {
		t.Error("no instance was killed")
	}
	tally := tallyStream(t, l, load.res)
	load.checkNoRefusals(t)
	checkReadModels(t, f, l)
	return tally
}

// TestFaultKilledServeInstancesLoseNothing kills grants serve instances
// (kill -9) one after another while clients send commands with
// idempotency keys to any of them and retry on another: every
// acknowledged command is in the stream exactly once, and every
// instance's read models equal a fresh replay. The instances share a
// standalone NATS server.
func TestFaultKilledServeInstancesLoseNothing(t *testing.T) {
	plan := killPlanFor()
	f := newFleet(t, standaloneNATS(t), plan.instances)
	loadWhileKilling(t, f, f.openLedger(), plan, "1kill")
}

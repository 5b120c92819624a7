package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
)

// faultTally is what a fault test found in the stream for the commands
// its clients sent: every acknowledged command must be found exactly once.
type faultTally struct {
	// Sent counts the commands sent, Acknowledged those an instance
	// acknowledged.
	Sent, Acknowledged int
	// Found counts the acknowledged commands in the stream, Lost those
	// missing; Duplicated counts the commands (acknowledged or not) whose
	// events are in the stream more than once; Unacknowledged those never
	// acknowledged that are in the stream all the same (allowed: the
	// instance died before it answered).
	Found, Lost, Duplicated, Unacknowledged int
	// Examples name a few lost or duplicated keys.
	Examples []string
}

// String is the line make faults prints.
func (c faultTally) String() string {
	return fmt.Sprintf("sent %d, acknowledged %d, found %d, lost %d, duplicated %d (written but unacknowledged %d)",
		c.Sent, c.Acknowledged, c.Found, c.Lost, c.Duplicated, c.Unacknowledged)
}

// Holds tells whether nothing acknowledged was lost and nothing duplicated.
func (c faultTally) Holds() bool {
	return c.Lost == 0 && c.Duplicated == 0 && c.Found == c.Acknowledged
}

// tallyKeys counts, for the keys sent (each to whether it was
// acknowledged), the commands found in the stream: found holds how many
// times each key's command was written (each command of the load writes
// one event).
func tallyKeys(sent map[string]bool, found map[string]int) faultTally {
	var c faultTally
	for key, acked := range sent {
		c.Sent++
		n := found[key]
		if n > 1 {
			c.Duplicated++
			c.Examples = append(c.Examples, fmt.Sprintf("%s written %d times", key, n))
		}
		switch {
		case acked && n > 0:
			c.Acknowledged++
			c.Found++
		case acked:
			c.Acknowledged++
			c.Lost++
			c.Examples = append(c.Examples, key+" acknowledged and lost")
		case n > 0:
			c.Unacknowledged++
		}
	}
	if len(c.Examples) > 5 {
		c.Examples = c.Examples[:5]
	}
	return c
}

// streamKeys reads the whole stream and counts the events of each key
// of sent (the events carry the key scoped to their actor).
func streamKeys(t *testing.T, store events.Store, sent map[string]bool) map[string]int {
	t.Helper()
	byActor := map[events.Actor]map[string]string{}
	found := map[string]int{}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err := store.Events(ctx, 1, 0, func(e events.Envelope) error {
		if e.IdempotencyKey == "" {
			return nil
		}
		scopes, ok := byActor[e.Actor]
		if !ok {
			scopes = map[string]string{}
			for k := range sent {
				scopes[command.ScopeKey(e.Actor, k)] = k
			}
			byActor[e.Actor] = scopes
		}
		scoped, _, _ := strings.Cut(e.IdempotencyKey, ".")
		if k, ok := scopes[scoped]; ok {
			found[k]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// streamKeysFound reads the stream again for one key.
func streamKeysFound(t *testing.T, l *ledger, key string) int {
	return streamKeys(t, l.store, map[string]bool{key: true})[key]
}

// tallyStream reads the stream and counts the load's commands in it; it
// fails the test when an acknowledged command is lost or one duplicated.
func tallyStream(t *testing.T, l *ledger, res *loadResult) faultTally {
	t.Helper()
	res.mu.Lock()
	sent := make(map[string]bool, len(res.acked))
	for k, v := range res.acked {
		sent[k] = v
	}
	res.mu.Unlock()
	if l.cluster != nil {
		// A read right after the load may be answered by a replica that
		// has not yet applied the newest writes (direct gets go to any
		// replica): counted, not failed. The tally is of the stream once
		// every node holds the same.
		early := tallyKeys(sent, streamKeys(t, l.store, sent))
		seq := sameStreamsEverywhere(t, l.cluster, 2*time.Minute)
		t.Logf("every node holds the same streams; GRANTS ends at sequence %d (a read before they converged missed %d acknowledged commands)", seq, early.Lost)
	}
	c := tallyKeys(sent, streamKeys(t, l.store, sent))
	t.Logf("fault tally: %s", c)
	if !c.Holds() {
		t.Errorf("acknowledged commands lost or duplicated: %s; e.g. %s", c, strings.Join(c.Examples, "; "))
		res.mu.Lock()
		for k, acked := range sent {
			if n := streamKeysFound(t, l, k); acked && n != 1 {
				t.Logf("%s: acknowledged %s; %d in the stream now", k, res.ackedAt[k], n)
			}
		}
		res.mu.Unlock()
	}
	if c.Acknowledged == 0 {
		t.Error("no command was acknowledged: the test proved nothing")
	}
	return c
}

// TestTallyCountsLostAndDuplicatedCommands is the fault tests' own check:
// an acknowledged command missing from the stream, or written twice,
// makes the tally fail.
func TestTallyCountsLostAndDuplicatedCommands(t *testing.T) {
	for _, tc := range []struct {
		name  string
		sent  map[string]bool
		found map[string]int
		want  faultTally
		holds bool
	}{
		{"every acknowledged command once", map[string]bool{"a": true, "b": true, "c": false}, map[string]int{"a": 1, "b": 1},
			faultTally{Sent: 3, Acknowledged: 2, Found: 2}, true},
		{"an unacknowledged command written", map[string]bool{"a": true, "c": false}, map[string]int{"a": 1, "c": 1},
			faultTally{Sent: 2, Acknowledged: 1, Found: 1, Unacknowledged: 1}, true},
		{"an acknowledged command lost", map[string]bool{"a": true, "b": true}, map[string]int{"a": 1},
			faultTally{Sent: 2, Acknowledged: 2, Found: 1, Lost: 1}, false},
		{"an acknowledged command duplicated", map[string]bool{"a": true}, map[string]int{"a": 2},
			faultTally{Sent: 1, Acknowledged: 1, Found: 1, Duplicated: 1}, false},
		{"an unacknowledged command duplicated", map[string]bool{"a": true, "c": false}, map[string]int{"a": 1, "c": 2},
			faultTally{Sent: 2, Acknowledged: 1, Found: 1, Duplicated: 1, Unacknowledged: 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tallyKeys(tc.sent, tc.found)
			got.Examples = nil
			if !reflect.DeepEqual(got, tc.want) || got.Holds() != tc.holds {
				t.Fatalf("tally %+v (holds %v), want %+v (holds %v)", got, got.Holds(), tc.want, tc.holds)
			}
		})
	}
}

// pollFor waits until cond holds, failing the test after limit.
func pollFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

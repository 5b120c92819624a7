package jetstream_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// poll waits until cond holds or fails the test after limit.
func poll(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWritesResumeAfterAFullDiskFrees fills the store's disk until an
// append fails, then frees it: appends succeed again without a restart,
// Ready reports the outage and its end, and no event is lost.
func TestWritesResumeAfterAFullDiskFrees(t *testing.T) {
	disk := jstest.SmallDisk(t, 16)
	e, err := jetstream.OpenEmbedded(context.Background(), jetstream.EmbeddedConfig{StoreDir: filepath.Join(disk, "nats"), Port: -1},
		storetest.Registry(), jetstream.Config{RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.Store
	text := strings.Repeat("x", 20000)
	k := 0
	try := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := s.Append(ctx, events.AppendRequest{
			Ref:  events.Ref{Org: "E1", Kind: "project", ID: fmt.Sprintf("p%d", k)},
			Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: text}}},
		})
		if err == nil {
			k++
		}
		return err
	}
	for range 5 {
		if err := try(); err != nil {
			t.Fatal(err)
		}
	}
	filler := filepath.Join(disk, "filler")
	jstest.FillDisk(t, filler)
	var failed error
	for range 50 {
		if failed = try(); failed != nil {
			break
		}
	}
	if failed == nil {
		t.Fatal("appends kept succeeding on a full disk")
	}
	poll(t, 10*time.Second, "Ready reports the outage", func() bool { return s.Ready(context.Background()) != nil })
	t.Logf("on a full disk: append %v; ready %v", failed, s.Ready(context.Background()))

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	written := k
	poll(t, 30*time.Second, "an append succeeds after the disk freed", func() bool { return try() == nil })
	poll(t, 10*time.Second, "Ready after the disk freed", func() bool { return s.Ready(context.Background()) == nil })
	for range 5 {
		if err := try(); err != nil {
			t.Fatalf("append after recovery: %v", err)
		}
	}
	var n int
	if err := s.Events(context.Background(), 1, 0, func(events.Envelope) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != k || k <= written {
		t.Fatalf("the stream holds %d events; %d appends were acknowledged", n, k)
	}
}

// TestWritesResumeAfterJetStreamDisabledItself disables JetStream as the
// server does when it runs out of resources ("JetStream out of resources,
// will be DISABLED"): Ready reports it, and the store enables it again by
// itself; the events written before are all there.
func TestWritesResumeAfterJetStreamDisabledItself(t *testing.T) {
	e, err := jetstream.OpenEmbedded(context.Background(), jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1},
		storetest.Registry(), jetstream.Config{RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	seqs := writeNotes(t, e.Store, 3)
	if err := e.Server.ShutdownJetStream(); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.Ready(context.Background()); err == nil {
		t.Fatal("Ready with JetStream disabled")
	}
	poll(t, 30*time.Second, "Ready again", func() bool { return e.Store.Ready(context.Background()) == nil })
	if _, err := e.Store.Append(context.Background(), events.AppendRequest{
		Ref:  events.Ref{Org: "E1", Kind: "project", ID: "after"},
		Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "after"}}},
	}); err != nil {
		t.Fatalf("append after JetStream came back: %v", err)
	}
	var n int
	if err := e.Store.Events(context.Background(), 1, 0, func(events.Envelope) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != len(seqs)+1 {
		t.Fatalf("%d events after the restart, want %d", n, len(seqs)+1)
	}
}

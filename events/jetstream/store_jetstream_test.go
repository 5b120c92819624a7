package jetstream_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/nats-io/nats.go"
	njs "github.com/nats-io/nats.go/jetstream"
)

// fixture is a store on its own embedded server.
type fixture struct {
	srv   *jetstream.Server
	nc    *nats.Conn
	js    njs.JetStream
	store *jetstream.Store
	ctx   context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	nc, err := jetstream.ConnectInProcess(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	s, err := jetstream.Open(ctx, nc, storetest.Registry(), jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	js, err := njs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, nc: nc, js: js, store: s, ctx: ctx}
}

func (f *fixture) append(t *testing.T, ref events.Ref, head events.Head, n int) []events.Envelope {
	t.Helper()
	drafts := make([]events.Draft, n)
	for i := range drafts {
		drafts[i] = events.Draft{Payload: storetest.Noted{Text: "x"}}
	}
	envs, err := f.store.Append(f.ctx, events.AppendRequest{Ref: ref, Expected: head, Meta: events.Meta{RecordedAt: storetest.Base}, Events: drafts})
	if err != nil {
		t.Fatal(err)
	}
	return envs
}

func TestStreamKeepsEveryEventForever(t *testing.T) {
	f := newFixture(t)
	info, err := f.js.Stream(f.ctx, jetstream.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.CachedInfo().Config
	if len(cfg.Subjects) != 1 || cfg.Subjects[0] != "grants.>" || cfg.Storage != njs.FileStorage ||
		cfg.MaxAge != 0 || cfg.MaxMsgs != -1 || cfg.MaxBytes != -1 || cfg.MaxMsgsPerSubject != -1 ||
		!cfg.DenyDelete || !cfg.DenyPurge || !cfg.AllowDirect || !cfg.AllowAtomicPublish ||
		cfg.Duplicates != jetstream.DefaultDuplicateWindow || cfg.Replicas != 1 || cfg.Retention != njs.LimitsPolicy {
		t.Fatalf("stream config %+v", cfg)
	}
	f.append(t, events.Ref{Org: "E1", Kind: "project", ID: "p"}, events.Head{}, 1)
	if err := info.Purge(f.ctx); err == nil {
		t.Fatal("the stream was purged")
	}
	if err := info.DeleteMsg(f.ctx, 1); err == nil {
		t.Fatal("an event was deleted")
	}
	// The stream's deduplication is the idempotency keys' one record: no
	// bucket of records is made beside it.
	if _, err := f.js.KeyValue(f.ctx, "GRANTS_IDEMPOTENCY"); !errors.Is(err, njs.ErrBucketNotFound) {
		t.Fatalf("the bucket of idempotency records of earlier releases: %v, want none made", err)
	}
}

func TestOpenAgainUpdatesTheStream(t *testing.T) {
	f := newFixture(t)
	f.append(t, events.Ref{Org: "E1", Kind: "project", ID: "p"}, events.Head{}, 1)
	s2, err := jetstream.Open(f.ctx, f.nc, storetest.Registry(), jetstream.Config{DuplicateWindow: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	info, err := f.js.Stream(f.ctx, jetstream.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.CachedInfo().Config.Duplicates; got != 5*time.Minute {
		t.Fatalf("duplicate window %s after reopening with 5m", got)
	}
	if n, _ := s2.LastSequence(f.ctx); n != 1 {
		t.Fatalf("reopening lost events: last sequence %d", n)
	}
}

func TestReadsCreateNoConsumer(t *testing.T) {
	f := newFixture(t)
	ref := events.Ref{Org: "E1", Kind: "project", ID: "p"}
	envs := f.append(t, ref, events.Head{}, 600) // more than one direct-get batch
	f.append(t, events.Ref{Org: "E1", Kind: "organisation", ID: "E1"}, events.Head{}, 1)
	for range 3 {
		if got, err := f.store.Load(f.ctx, ref, 0); err != nil || len(got) != 600 {
			t.Fatalf("Load = %d events, %v", len(got), err)
		}
		if got, err := f.store.LoadOrg(f.ctx, "E1", 0); err != nil || len(got) != 601 {
			t.Fatalf("LoadOrg = %d events, %v", len(got), err)
		}
		if org, err := f.store.Locate(f.ctx, "project", "p"); err != nil || org != "E1" {
			t.Fatalf("Locate = %q, %v", org, err)
		}
		// A conflict reads the current version too.
		_, err := f.store.Append(f.ctx, events.AppendRequest{Ref: ref, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{}}}})
		var ce *events.ConflictError
		if !errors.As(err, &ce) || ce.Actual != 600 {
			t.Fatalf("conflict = %v", err)
		}
	}
	if n := consumers(t, f); n != 0 {
		t.Fatalf("reads left %d consumers on the stream", n)
	}
	if envs[599].Version != 600 {
		t.Fatal("versions")
	}
}

func consumers(t *testing.T, f *fixture) int {
	t.Helper()
	info, err := f.js.Stream(f.ctx, jetstream.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	return info.CachedInfo().State.Consumers
}

func TestEventsAndSubscribeRemoveTheirConsumer(t *testing.T) {
	f := newFixture(t)
	ref := events.Ref{Org: "E1", Kind: "project", ID: "p"}
	f.append(t, ref, events.Head{}, 5)
	for range 3 {
		if err := f.store.Events(f.ctx, 2, 4, func(events.Envelope) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n := consumers(t, f); n != 0 {
		t.Fatalf("Events left %d consumers", n)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	seen := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- f.store.Subscribe(ctx, 1, func(events.Envelope) error { seen <- struct{}{}; return nil })
	}()
	<-seen
	if n := consumers(t, f); n != 1 {
		t.Fatalf("a running Subscribe has %d consumers, want 1", n)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe returned %v, want context.Canceled", err)
	}
	if n := consumers(t, f); n != 0 {
		t.Fatalf("an ended Subscribe left %d consumers", n)
	}
}

func TestReadyReportsAMissingServer(t *testing.T) {
	f := newFixture(t)
	if err := f.store.Ready(f.ctx); err != nil {
		t.Fatalf("Ready on a running server: %v", err)
	}
	f.srv.Shutdown()
	f.srv.WaitForShutdown()
	ctx, cancel := context.WithTimeout(f.ctx, 500*time.Millisecond)
	defer cancel()
	if err := f.store.Ready(ctx); err == nil {
		t.Fatal("Ready without a server reported no error")
	}
	ref := events.Ref{Org: "E1", Kind: "project", ID: "p"}
	if _, err := f.store.Load(ctx, ref, 0); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("Load without a server = %v, want unavailable", err)
	}
	if _, err := f.store.Locate(ctx, "project", "p"); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("Locate without a server = %v, want unavailable", err)
	}
	if _, err := f.store.LastSequence(ctx); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("LastSequence without a server = %v, want unavailable", err)
	}
	if _, err := f.store.Append(ctx, events.AppendRequest{Ref: ref, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{}}}}); apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("Append without a server = %v, want unavailable", err)
	}
}

func TestStoredMessageIsReadableWithPlainNATS(t *testing.T) {
	f := newFixture(t)
	ref := events.Ref{Org: "E1", Kind: "project", ID: "p"}
	envs := f.append(t, ref, events.Head{}, 2)
	stream, err := f.js.Stream(f.ctx, jetstream.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := stream.GetMsg(f.ctx, envs[1].Sequence)
	if err != nil {
		t.Fatal(err)
	}
	// A CloudEvent in the JSON format: any JSON tool reads every attribute.
	var ce map[string]any
	if err := json.Unmarshal(raw.Data, &ce); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(ce["data"])
	if raw.Subject != "grants.E1.project.p" || string(data) != string(envs[1].Payload) || ce["specversion"] != "1.0" ||
		ce["aggregateversion"] != 2.0 || ce["type"] != "test.noted" || ce["prevhash"] != envs[0].Hash || ce["id"] != envs[1].ID ||
		ce["source"] != "/grants/E1" || ce["subject"] != "project/p" || ce["hash"] != envs[1].Hash {
		t.Fatalf("stored message %s %v %s", raw.Subject, raw.Header, raw.Data)
	}
	e, err := jetstream.DecodeMsg(raw.Subject, raw.Header, raw.Data, raw.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if e.Hash != envs[1].Hash || e.ComputeHash() != e.Hash {
		t.Fatal("decoded event does not verify")
	}
}

func TestEventsAndSubscribeReadThroughStreamConn(t *testing.T) {
	f := newFixture(t)
	tcp, err := jetstream.ConnectTCP(f.srv, "test-stream")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	s, err := jetstream.Open(f.ctx, f.nc, storetest.Registry(), jetstream.Config{StreamConn: tcp})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ref := events.Ref{Org: "E1", Kind: "project", ID: "p"}
	// Long enough a range for a consumer (short ones use direct gets).
	want := f.append(t, ref, events.Head{}, 600)
	var got []events.Envelope
	if err := s.Events(f.ctx, 0, 0, func(e events.Envelope) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 600 || got[599].Hash != want[599].Hash {
		t.Fatalf("Events read %d events", len(got))
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	seen := make(chan events.Envelope, 8)
	go s.Subscribe(ctx, 601, func(e events.Envelope) error { seen <- e; return nil })
	more := f.append(t, ref, events.HeadOf(want[599]), 1)
	select {
	case e := <-seen:
		if e.ID != more[0].ID {
			t.Fatalf("Subscribe saw %+v", e)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Subscribe through the stream connection saw nothing")
	}
	if n := tcp.Stats().InMsgs; n < 601 {
		t.Fatalf("the stream connection received %d messages, want the 601 events at least", n)
	}
}

func TestEventsOverLongAndShortRanges(t *testing.T) {
	f := newFixture(t)
	a := events.Ref{Org: "E1", Kind: "project", ID: "a"}
	b := events.Ref{Org: "E2", Kind: "project", ID: "b"}
	envs := f.append(t, a, events.Head{}, 700)
	envs = append(envs, f.append(t, b, events.Head{}, 700)...)
	f.append(t, a, events.HeadOf(envs[699]), 300)
	for _, r := range [][2]uint64{{1, 0}, {1, 1700}, {2, 1699}, {650, 750}, {1000, 1000}, {1690, 0}, {1, 513}, {1, 514}} {
		var got []uint64
		if err := f.store.Events(f.ctx, r[0], r[1], func(e events.Envelope) error { got = append(got, e.Sequence); return nil }); err != nil {
			t.Fatal(err)
		}
		to := r[1]
		if to == 0 {
			to = 1700
		}
		if uint64(len(got)) != to-r[0]+1 || got[0] != r[0] || got[len(got)-1] != to {
			t.Fatalf("Events(%d, %d) read %d events from %d to %d", r[0], r[1], len(got), got[0], got[len(got)-1])
		}
		for i := 1; i < len(got); i++ {
			if got[i] != got[i-1]+1 {
				t.Fatalf("Events(%d, %d) skipped from %d to %d", r[0], r[1], got[i-1], got[i])
			}
		}
	}
	if n := consumers(t, f); n != 0 {
		t.Fatalf("Events left %d consumers", n)
	}
}

// TestSubscribeNeverCallsBackAfterItReturns cancels a subscription while
// its callback is busy: Subscribe returns the context's error, and the
// callback is not called again afterwards, although events are left.
func TestSubscribeNeverCallsBackAfterItReturns(t *testing.T) {
	f := newFixture(t)
	ref := events.Ref{Org: "E1", Kind: "project", ID: "p"}
	var head events.Head
	for range 5 {
		envs := f.append(t, ref, head, 100)
		head = events.HeadOf(envs[len(envs)-1])
	}
	ctx, cancel := context.WithCancel(f.ctx)
	var calls, after atomic.Int64
	var returned atomic.Bool
	entered := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- f.store.Subscribe(ctx, 1, func(events.Envelope) error {
			if returned.Load() {
				after.Add(1)
			}
			if calls.Add(1) == 10 {
				close(entered)
				<-ctx.Done() // busy when the subscription is cancelled
			}
			return nil
		})
		returned.Store(true)
	}()
	<-entered
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe returned %v, want context.Canceled", err)
	}
	// Give a stray delivery the time to show up.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) && after.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if n := after.Load(); n != 0 {
		t.Fatalf("the callback ran %d times after Subscribe returned", n)
	}
	if n := calls.Load(); n >= 500 {
		t.Fatalf("the callback ran for every event (%d) despite the cancellation", n)
	}
}

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// TestLiveFollowVerifiesEachEventAsItIsWritten (issue 16): the guard's
// live follow on a real embedded stream checks the events as they are
// appended, without being asked, and its verifier then signs the
// checkpoint a verification of the whole stream signs (the same heads);
// after stop nothing more is added; a follow whose connection is lost
// says so (failed) instead of seeming to follow.
func TestLiveFollowVerifiesEachEventAsItIsWritten(t *testing.T) {
	ctx := context.Background()
	emb, err := jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1}, storetest.Registry(), jetstream.Config{Signer: storetest.Signer})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	store, ring := emb.Store, storetest.KeyRing()
	heads := map[events.Ref]events.Head{}
	appendN := func(n int) uint64 {
		t.Helper()
		var last uint64
		for i := range n {
			ref := events.Ref{Org: "E10000001", Kind: "project", ID: fmt.Sprintf("P%d", i%3)}
			out, err := store.Append(ctx, events.AppendRequest{Ref: ref, Expected: heads[ref], Meta: events.Meta{RecordedAt: time.Unix(1_800_000_000, 0).UTC()},
				Events: []events.Draft{{Payload: storetest.Noted{Text: fmt.Sprint(i)}}}})
			if err != nil {
				t.Fatal(err)
			}
			heads[ref] = events.HeadOf(out[len(out)-1])
			last = out[len(out)-1].Sequence
		}
		return last
	}
	readTo := func(f *liveFollow) (to uint64) {
		f.with(func(v *events.StreamVerifier) { to = v.ReadTo() })
		return to
	}
	waitFor := func(f *liveFollow, seq uint64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for readTo(f) < seq {
			if err := f.failed(); err != nil {
				t.Fatalf("the follow ended: %v", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("the follow read to %d, not to %d, within 10 s", readTo(f), seq)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	appendN(4)
	_, v, err := events.VerifyStore(ctx, store, ring, events.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := startLiveFollow(ctx, store, v)
	waitFor(f, appendN(50))
	last := appendN(7)
	waitFor(f, last)
	if err := f.failed(); err != nil {
		t.Fatalf("a follow that follows reports %v", err)
	}
	f.stop()
	if got := v.ReadTo(); got != last {
		t.Fatalf("read to %d after stop, want %d", got, last)
	}
	appendN(3)
	time.Sleep(50 * time.Millisecond) // nothing to wait for: nothing may come
	if got := v.ReadTo(); got != last {
		t.Fatalf("the follow added events after stop: read to %d, want %d", got, last)
	}
	svc := storetest.Signer
	_, full, err := events.VerifyStore(ctx, store, ring, events.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Extend(ctx, store, full.ReadTo()); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_100, 0)
	if got, want := v.Checkpoint(svc, now), full.Checkpoint(svc, now); got.Digest != want.Digest || got.Chains != want.Chains || got.Sequence != want.Sequence {
		t.Fatalf("followed checkpoint %d chains, digest %s at %d; the whole stream's %d, %s at %d",
			got.Chains, got.Digest, got.Sequence, want.Chains, want.Digest, want.Sequence)
	}

	// A lost connection: the follow says it ended.
	g := startLiveFollow(ctx, store, v)
	emb.Stream.Close() // the connection the store reads the stream on
	deadline := time.Now().Add(10 * time.Second)
	for g.failed() == nil {
		if time.Now().After(deadline) {
			t.Fatal("the follow did not report its lost connection within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.stop()
}

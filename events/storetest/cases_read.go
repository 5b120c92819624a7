package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

func survivesRestart(t *testing.T, f Factory) {
	if !f.Persistent {
		t.Skip("this store does not persist across a restart")
	}
	dir := t.TempDir()
	reg := Registry()
	ctx := context.Background()
	s1, close1 := f.Open(t, dir, reg)
	h := &harness{t: t, ctx: ctx, store: s1, reg: reg}
	h.mustAppend(refP1, 2)
	h.mustAppend(refQ1, 1)
	want := h.load(refP1, 0)
	close1()

	s2, close2 := f.Open(t, dir, reg)
	defer close2()
	h.store = s2
	sameEvents(t, "after restart", h.load(refP1, 0), want)
	if got := h.last(); got != 3 {
		t.Fatalf("last sequence after restart = %d, want 3", got)
	}
	// Appending goes on from where it was.
	envs := h.mustAppend(refP1, 1)
	if envs[0].Version != 3 || envs[0].PrevHash != want[1].Hash {
		t.Fatalf("append after restart: version %d prev %s, want version 3 chained on %s", envs[0].Version, envs[0].PrevHash, want[1].Hash)
	}
}

func hashChain(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refP1, 2)
	h.mustAppend(refP1, 1)
	envs := h.load(refP1, 0)
	last, err := events.VerifyChain(envs)
	if err != nil {
		t.Fatalf("chain of stored events: %v", err)
	}
	if last != envs[2].Hash {
		t.Fatalf("VerifyChain returned %s, want the last hash %s", last, envs[2].Hash)
	}
	envs[1].Payload = slices.Clone(envs[1].Payload)
	envs[1].Payload[len(envs[1].Payload)-3] ^= 1
	_, err = events.VerifyChain(envs)
	var ce *events.ChainError
	if !errors.As(err, &ce) || ce.Version != 2 {
		t.Fatalf("a changed byte in version 2 gave %v, want a chain error at version 2", err)
	}
	// The store itself was not changed by the caller's edit.
	if _, err := events.VerifyChain(h.load(refP1, 0)); err != nil {
		t.Fatalf("the store shares its bytes with callers: %v", err)
	}
}

func loadAfterSequence(t *testing.T, f Factory) {
	h := open(t, f)
	a := h.mustAppend(refP1, 2)
	h.mustAppend(refP2, 1)
	b := h.mustAppend(refP1, 2)
	got := h.load(refP1, a[1].Sequence)
	sameEvents(t, "Load after version 2", got, b)
	if got := h.load(refP1, b[1].Sequence); len(got) != 0 {
		t.Fatalf("Load after the last sequence returned %d events", len(got))
	}
	if got := h.load(events.Ref{Org: "E1", Kind: "project", ID: "none"}, 0); len(got) != 0 {
		t.Fatalf("Load of an aggregate with no events returned %d events", len(got))
	}
}

func loadOrgOrder(t *testing.T, f Factory) {
	h := open(t, f)
	var want []events.Envelope
	want = append(want, h.mustAppend(refP1, 1)...)
	h.mustAppend(refQ1, 1)
	want = append(want, h.mustAppend(refO1, 2)...)
	want = append(want, h.mustAppend(refP1, 1)...)
	h.mustAppend(refQ1, 1)
	want = append(want, h.mustAppend(refP2, 1)...)
	got, err := h.store.LoadOrg(h.ctx, refP1.Org, 0)
	if err != nil {
		t.Fatal(err)
	}
	sameEvents(t, "LoadOrg", got, want)
	got, err = h.store.LoadOrg(h.ctx, refP1.Org, want[2].Sequence)
	if err != nil {
		t.Fatal(err)
	}
	sameEvents(t, "LoadOrg after a sequence", got, want[3:])
	got, err = h.store.LoadOrg(h.ctx, "E99999999", 0)
	if err != nil || len(got) != 0 {
		t.Fatalf("LoadOrg of an organisation with no events = %d events, %v", len(got), err)
	}
}

// changedSince: a store that tells an organisation's changed aggregates
// (events.OrgChanges) names each aggregate of the organisation with an
// event above the sequence, with its last sequence, and no other.
func changedSince(t *testing.T, f Factory) {
	h := open(t, f)
	oc, ok := h.store.(events.OrgChanges)
	if !ok {
		t.Skip("the store does not implement events.OrgChanges")
	}
	p1 := h.mustAppend(refP1, 2)
	h.mustAppend(refQ1, 1)
	o1 := h.mustAppend(refO1, 1)
	p1 = append(p1, h.mustAppend(refP1, 1)...)
	p2 := h.mustAppend(refP2, 1)
	last := h.mustAppend(refQ1, 1)[0].Sequence
	check := func(after uint64, want map[events.Ref]uint64) {
		t.Helper()
		got, upTo, ok, err := oc.ChangedSince(h.ctx, refP1.Org, after)
		if err != nil || !ok {
			t.Fatalf("ChangedSince(%d): ok %v, %v", after, ok, err)
		}
		if upTo < last {
			t.Fatalf("ChangedSince(%d): up to %d, the stream holds %d", after, upTo, last)
		}
		if len(got) != len(want) {
			t.Fatalf("ChangedSince(%d) = %v, want %v", after, got, want)
		}
		for _, c := range got {
			if want[c.Ref] != c.Sequence {
				t.Fatalf("ChangedSince(%d) = %v, want %v", after, got, want)
			}
		}
	}
	check(0, map[events.Ref]uint64{refP1: p1[2].Sequence, refO1: o1[0].Sequence, refP2: p2[0].Sequence})
	check(o1[0].Sequence, map[events.Ref]uint64{refP1: p1[2].Sequence, refP2: p2[0].Sequence})
	check(p2[0].Sequence, map[events.Ref]uint64{})
	if got, _, ok, err := oc.ChangedSince(h.ctx, "E99999999", 0); err != nil || !ok || len(got) != 0 {
		t.Fatalf("ChangedSince of an organisation with no events = %v, %v, %v", got, ok, err)
	}
}

// tailCheckpoints: a store that keeps tail checkpoints
// (events.TailCheckpointer) returns the newest of each base as written.
func tailCheckpoints(t *testing.T, f Factory) {
	h := open(t, f)
	tc, ok := h.store.(events.TailCheckpointer)
	if !ok {
		t.Skip("the store does not implement events.TailCheckpointer")
	}
	base := events.StoredCheckpoint{Checkpoint: events.Checkpoint{Sequence: 5, Digest: "d"}, At: 7}
	for _, seq := range []uint64{9, 12} {
		w := events.TailCheckpoint{Checkpoint: events.Checkpoint{Sequence: seq, Digest: "e", KeyID: "k", Signature: "s"}, BaseAt: base.At, BaseDigest: base.Digest, TailSignature: "t"}
		if err := tc.WriteTailCheckpoint(h.ctx, w); err != nil {
			t.Fatal(err)
		}
		got, found, err := tc.TailCheckpoint(h.ctx, base.At)
		if err != nil || !found || got.Sequence != seq || got.TailSignature != "t" || got.BaseDigest != "d" || got.Signature != "s" {
			t.Fatalf("tail of base %d = %+v, %v, %v; want sequence %d", base.At, got, found, err, seq)
		}
	}
	if _, found, err := tc.TailCheckpoint(h.ctx, 8); found || err != nil {
		t.Fatalf("a tail of a base never written: %v, %v", found, err)
	}
}

func locate(t *testing.T, f Factory) {
	h := open(t, f)
	h.mustAppend(refP1, 1)
	h.mustAppend(refQ1, 1)
	for _, ref := range []events.Ref{refP1, refQ1} {
		org, err := h.store.Locate(h.ctx, ref.Kind, ref.ID)
		if err != nil || org != ref.Org {
			t.Fatalf("Locate(%s, %s) = %q, %v, want %q", ref.Kind, ref.ID, org, err, ref.Org)
		}
	}
	if _, err := h.store.Locate(h.ctx, "project", "2024-1-XX-none"); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("Locate of an unknown aggregate = %v, want ErrNotFound", err)
	}
	if _, err := h.store.Locate(h.ctx, "organisation", refP1.ID); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("Locate with the wrong kind = %v, want ErrNotFound", err)
	}
}

func eventsFromTo(t *testing.T, f Factory) {
	h := open(t, f)
	var all []events.Envelope
	all = append(all, h.mustAppend(refP1, 3)...)
	all = append(all, h.mustAppend(refQ1, 2)...)
	all = append(all, h.mustAppend(refP2, 1)...)
	collect := func(from, to uint64) []events.Envelope {
		var out []events.Envelope
		if err := h.store.Events(h.ctx, from, to, func(e events.Envelope) error { out = append(out, e); return nil }); err != nil {
			t.Fatalf("Events(%d, %d): %v", from, to, err)
		}
		return out
	}
	first := all[0].Sequence
	sameEvents(t, "Events(from, 0)", collect(first, 0), all)
	sameEvents(t, "Events(2nd, 4th)", collect(first+1, first+3), all[1:4])
	sameEvents(t, "Events(last, last)", collect(all[5].Sequence, all[5].Sequence), all[5:])
	sameEvents(t, "Events(from, beyond the last)", collect(all[4].Sequence, all[5].Sequence+100), all[4:])
	if got := collect(all[5].Sequence+1, 0); len(got) != 0 {
		t.Fatalf("Events after the last = %d events", len(got))
	}
	stop := errors.New("stop")
	n := 0
	err := h.store.Events(h.ctx, first, 0, func(events.Envelope) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Events did not stop at fn's error: %v after %d calls", err, n)
	}
}

func subscribeSeesNew(t *testing.T, f Factory) {
	h := open(t, f)
	old := h.mustAppend(refP1, 2)
	ctx, cancel := context.WithCancel(h.ctx)
	got := make(chan events.Envelope, 16)
	done := make(chan error, 1)
	go func() {
		done <- h.store.Subscribe(ctx, old[1].Sequence, func(e events.Envelope) error { got <- e; return nil })
	}()
	next := func() events.Envelope {
		t.Helper()
		select {
		case e := <-got:
			return e
		case err := <-done:
			t.Fatalf("Subscribe ended: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("no event from Subscribe")
		}
		return events.Envelope{}
	}
	sameEvents(t, "Subscribe from an old sequence", []events.Envelope{next()}, old[1:])
	fresh := h.mustAppend(refQ1, 2)
	sameEvents(t, "Subscribe sees new events", []events.Envelope{next(), next()}, fresh)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Subscribe ended with %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Subscribe did not end when its context ended")
	}
	// An error of fn ends Subscribe with that error.
	stop := errors.New("stop")
	if err := h.store.Subscribe(h.ctx, 1, func(events.Envelope) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("Subscribe returned %v, want fn's error", err)
	}
}

func envelopeRoundTrip(t *testing.T, f Factory) {
	h := open(t, f)
	m := meta("rt-key")
	m.Actor = events.Actor{UserID: "user-7", Role: "beneficiary", Org: refP1.Org}
	m.Reason = "Correction: the mobility ended on 31 May, not 1 June — ünïcode ok"
	occurred := time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC)
	envs, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Meta: m, Events: []events.Draft{
		{Payload: Renamed{Name: "Ääkkönen \"quoted\"\n"}, OccurredAt: occurred},
		{Payload: &Noted{Text: "pointer payload"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	loaded := h.load(refP1, 0)
	sameEvents(t, "round trip", loaded, envs)
	e := loaded[0]
	if e.Type != "test.renamed" || e.SchemaVersion != 1 || e.ID == "" || e.Sequence == 0 || e.Hash == "" || e.PrevHash != "" {
		t.Fatalf("envelope fields not filled in: %+v", e)
	}
	if !e.OccurredAt.Equal(occurred) || !e.RecordedAt.Equal(Base) || e.RecordedAt.Location() != time.UTC {
		t.Fatalf("times: occurred %v recorded %v", e.OccurredAt, e.RecordedAt)
	}
	if loaded[1].OccurredAt.IsZero() {
		t.Fatal("a draft without an occurred time got none")
	}
	p, err := h.reg.Decode(e)
	if err != nil {
		t.Fatal(err)
	}
	if p != (Renamed{Name: "Ääkkönen \"quoted\"\n"}) {
		t.Fatalf("payload decoded to %#v", p)
	}
	if _, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP2, Meta: m, Events: []events.Draft{{Payload: struct{ X int }{1}}}}); err == nil {
		t.Fatal("an unregistered payload type was appended")
	}
	if _, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP2, Meta: m}); err == nil {
		t.Fatal("an append without events was accepted")
	}
}

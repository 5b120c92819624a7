package jetstream_test

import (
	"context"
	"crypto/ed25519"
	"reflect"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// subscribed reads s's stream from 1 until it has seen n events.
func subscribed(t *testing.T, ctx context.Context, s *jetstream.Store, n int) []events.Envelope {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var got []events.Envelope
	done := make(chan error, 1)
	go func() {
		done <- s.Subscribe(ctx, 1, func(e events.Envelope) error {
			got = append(got, e)
			if len(got) == n {
				cancel()
			}
			return nil
		})
	}()
	<-done
	if len(got) != n {
		t.Fatalf("Subscribe saw %d events, want %d", len(got), n)
	}
	return got
}

// TestOwnEventsReadAsStored: a store's reader takes the events this store
// appended as it built them, not decoded again (issue 16), and they are
// the envelopes a store that appended nothing decodes from the stream,
// field for field; another instance's events interleaved with them are
// read too, in sequence order.
func TestOwnEventsReadAsStored(t *testing.T) {
	f := newFixture(t)
	open := func(seed byte) *jetstream.Store {
		key := make([]byte, ed25519.SeedSize)
		key[0] = seed
		signer := events.NewEd25519Signer(ed25519.NewKeyFromSeed(key))
		s, err := jetstream.Open(f.ctx, f.nc, storetest.Registry(), jetstream.Config{Signer: signer})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b, reader := open(1), open(2), open(3)
	ref := events.Ref{Org: "E1", Kind: "project", ID: "p"}
	other := events.Ref{Org: "E2", Kind: "project", ID: "q"}
	meta := events.Meta{
		Actor: events.Actor{UserID: "u1", Role: "office", Org: "E1"}, CorrelationID: "req-1", CausationID: "cmd-1",
		IdempotencyKey: "u1.k1", Reason: "a reason with \"quotes\" and ä", RecordedAt: storetest.Base,
	}
	var own []events.Envelope
	var head, otherHead events.Head
	for i := range 6 {
		m := meta
		m.IdempotencyKey = "u1-k" + string(rune('a'+i)) + ".f00d"
		drafts := []events.Draft{{Payload: storetest.Noted{Text: "x"}, OccurredAt: storetest.Base.Add(-time.Duration(i) * time.Hour)}}
		if i%2 == 1 {
			drafts = append(drafts, events.Draft{Payload: storetest.Noted{Text: "second of a batch"}})
		}
		envs, err := a.Append(f.ctx, events.AppendRequest{Ref: ref, Expected: head, Meta: m, Events: drafts})
		if err != nil {
			t.Fatal(err)
		}
		own, head = append(own, envs...), events.HeadOf(envs[len(envs)-1])
		envs, err = b.Append(f.ctx, events.AppendRequest{Ref: other, Expected: otherHead, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "b"}}}})
		if err != nil {
			t.Fatal(err)
		}
		otherHead = events.HeadOf(envs[0])
	}
	n := len(own) + 6
	got, decoded := subscribed(t, f.ctx, a, n), subscribed(t, f.ctx, reader, n)
	if !reflect.DeepEqual(got, decoded) {
		for i := range got {
			if !reflect.DeepEqual(got[i], decoded[i]) {
				t.Fatalf("sequence %d: the appending store read\n%+v\nthe stream holds\n%+v", got[i].Sequence, got[i], decoded[i])
			}
		}
	}
	taken := 0
	for i, e := range got {
		if e.Sequence != uint64(i+1) {
			t.Fatalf("event %d has sequence %d", i, e.Sequence)
		}
		for _, o := range own {
			if o.Sequence == e.Sequence && &o.Payload[0] == &e.Payload[0] {
				taken++
			}
		}
	}
	if taken != len(own) {
		t.Fatalf("%d of the %d events the store appended were taken as built; the others were decoded again", taken, len(own))
	}
}

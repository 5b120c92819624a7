package events_test

import (
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// buildOwn builds one event of ref through rs, after head.
func buildOwn(t testing.TB, rs *events.RecentSigner, ref events.Ref, head events.Head, text string) events.Envelope {
	t.Helper()
	envs, err := events.Build(storetest.Registry(), nil, rs, events.AppendRequest{Ref: ref, Expected: head,
		Meta:   events.Meta{RecordedAt: storetest.Base, Actor: events.Actor{UserID: "u", Role: "beneficiary", Org: "E1"}, IdempotencyKey: "k"},
		Events: []events.Draft{{Payload: storetest.Noted{Text: text}}}})
	if err != nil {
		t.Fatal(err)
	}
	return envs[0]
}

// TestBuiltHereTrustsOnlyTheEnvelopeAsBuilt: the envelope Build made
// through a RecentSigner (and a copy of it, as the store's own readers
// get, with its sequence) is taken as built here and passes ChainState's
// check without its hash; any field changed, the payload changed in the
// array the reader shares, or an envelope beyond the signer's memory is
// not, and the hash check then finds a changed content (ProblemHash).
func TestBuiltHereTrustsOnlyTheEnvelopeAsBuilt(t *testing.T) {
	rs := events.NewRecentSigner(signerOf("service"), 1<<12)
	ring := events.NewKeyRing([]ed25519.PublicKey{signerOf("service").(*events.Ed25519Signer).Public()}, nil)
	ref := events.Ref{Org: "E1", Kind: "project", ID: "P-1"}
	built := buildOwn(t, rs, ref, events.Head{}, "first")
	read := built
	read.Sequence = 7
	if trust, ok := events.OwnTrust(rs, &read); !ok || trust != events.TrustBuilt {
		t.Fatalf("the envelope as built: trust %v (%v), want TrustBuilt", trust, ok)
	}
	var c events.ChainState
	if p := c.Check(&read, ring, events.TrustBuilt, false); p != nil {
		t.Fatalf("the envelope as built: %v", p)
	}

	for _, tc := range []struct {
		name   string
		change func(e *events.Envelope)
	}{
		{"another ID", func(e *events.Envelope) { e.ID = "0190" + e.ID[4:] }},
		{"another aggregate", func(e *events.Envelope) { e.Ref.ID = "P-2" }},
		{"another version", func(e *events.Envelope) { e.Version++ }},
		{"another type", func(e *events.Envelope) { e.Type = "test.renamed" }},
		{"another schema version", func(e *events.Envelope) { e.SchemaVersion++ }},
		{"another occurrence", func(e *events.Envelope) { e.OccurredAt = e.OccurredAt.Add(time.Nanosecond) }},
		{"another recording", func(e *events.Envelope) { e.RecordedAt = e.RecordedAt.Add(time.Second) }},
		{"another actor", func(e *events.Envelope) { e.Actor.Org = "E2" }},
		{"another correlation", func(e *events.Envelope) { e.CorrelationID = "c" }},
		{"another causation", func(e *events.Envelope) { e.CausationID = "c" }},
		{"another key", func(e *events.Envelope) { e.IdempotencyKey = "k2" }},
		{"another reason", func(e *events.Envelope) { e.Reason = "r" }},
		{"another payload", func(e *events.Envelope) { e.Payload = []byte(`{"text":"forged"}`) }},
		{"the shared payload changed in place", func(e *events.Envelope) { e.Payload[len(e.Payload)-3] = 'X' }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := buildOwn(t, rs, ref, events.Head{}, "first")
			tc.change(&e)
			if trust, ok := events.OwnTrust(rs, &e); trust == events.TrustBuilt {
				t.Fatalf("a changed envelope is taken as built here (%v)", ok)
			}
			var c events.ChainState
			p := c.Check(&e, ring, events.TrustSignature, false)
			if p == nil || p.Kind != events.ProblemHash {
				t.Fatalf("a changed envelope checked: %v, want a hash problem", p)
			}
		})
	}

	// The memory goes round: beyond it the envelope is still recognised
	// as signed here, and its hash is checked again.
	first := buildOwn(t, rs, ref, events.Head{}, "oldest")
	for range 1024 {
		buildOwn(t, rs, ref, events.Head{}, "newer")
	}
	if trust, ok := events.OwnTrust(rs, &first); !ok || trust != events.TrustOwnSignature {
		t.Fatalf("an envelope beyond the built memory: trust %v (%v), want TrustOwnSignature", trust, ok)
	}
	if trust, ok := events.OwnTrust(nil, &read); ok {
		t.Fatalf("no memory of signatures gave trust %v", trust)
	}
}

// BenchmarkCheckBuiltEvent is what the command handler and the projector
// pay to check one of their process's own events: its hash again
// (TrustOwnSignature) or the comparison with the envelope built
// (TrustBuilt).
func BenchmarkCheckBuiltEvent(b *testing.B) {
	rs := events.NewRecentSigner(signerOf("service"), 1<<12)
	ref := events.Ref{Org: "E1", Kind: "project", ID: "P-1"}
	text := make([]byte, 1400)
	for i := range text {
		text[i] = 'a' + byte(i%26)
	}
	e := buildOwn(b, rs, ref, events.Head{}, string(text))
	for _, mode := range []string{"hash", "built"} {
		b.Run(mode, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var c events.ChainState
				trust := events.TrustOwnSignature
				if mode == "built" {
					trust, _ = events.OwnTrust(rs, &e)
				}
				if p := c.Check(&e, nil, trust, false); p != nil {
					b.Fatal(p)
				}
			}
		})
	}
}

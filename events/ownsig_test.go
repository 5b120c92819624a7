package events_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

func signerOf(seed string) events.Signer {
	sum := sha256.Sum256([]byte(seed))
	return events.NewEd25519Signer(ed25519.NewKeyFromSeed(sum[:]))
}

// TestRecentSignerRecognisesOnlyItsOwnSignatureOfTheHash: an event signed
// through a RecentSigner is recognised as signed here; the same signature
// on another hash, another key's signature, and a signature forgotten
// beyond the signer's memory are not.
func TestRecentSignerRecognisesOnlyItsOwnSignatureOfTheHash(t *testing.T) {
	rs := events.NewRecentSigner(signerOf("service"), 2)
	e := events.Envelope{Hash: "aaaa"}
	e.Sign(rs)
	if !rs.SignedHere(&e) {
		t.Fatal("its own signature of the hash is not recognised")
	}
	changed := e
	changed.Hash = "aaab"
	if rs.SignedHere(&changed) {
		t.Fatal("its signature on another hash is taken for its own")
	}
	other := events.Envelope{Hash: "aaaa"}
	other.Sign(signerOf("forger"))
	if rs.SignedHere(&other) {
		t.Fatal("another key's signature is taken for its own")
	}
	other.KeyID = e.KeyID
	if rs.SignedHere(&other) {
		t.Fatal("another key's signature under its key ID is taken for its own")
	}
	for _, h := range []string{"b", "c"} {
		x := events.Envelope{Hash: h}
		x.Sign(rs)
	}
	if rs.SignedHere(&e) {
		t.Fatal("a signature beyond the signer's memory is still recognised")
	}
	// The memory goes round: the newest signatures stay, the oldest go.
	var last [5]events.Envelope
	for i := range last {
		last[i] = events.Envelope{Hash: string(rune('d' + i))}
		last[i].Sign(rs)
	}
	for i, x := range last {
		if got, want := rs.SignedHere(&x), i >= len(last)-2; got != want {
			t.Fatalf("signature %d of %d recognised %v, want %v", i+1, len(last), got, want)
		}
	}
}

// BenchmarkCheckOwnEvent is what folding one's own freshly appended event
// costs in ChainState.Check: verifying its signature again, or
// recognising it (RecentSigner) and checking its hash and chain only.
func BenchmarkCheckOwnEvent(b *testing.B) {
	s := signerOf("service")
	ring := events.NewKeyRing([]ed25519.PublicKey{s.(*events.Ed25519Signer).Public()}, nil)
	rs := events.NewRecentSigner(s, 16)
	e := events.Envelope{Ref: events.Ref{Org: "E1", Kind: "project", ID: "P"}, ID: "id", Type: "T", Version: 1, Payload: []byte(`{"x":1}`)}
	e.Hash = e.ComputeHash()
	e.Sign(rs)
	for _, mode := range []string{"verify", "own"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				var c events.ChainState
				trust := events.TrustSignature
				if mode == "own" && rs.SignedHere(&e) {
					trust = events.TrustOwnSignature
				}
				if p := c.Check(&e, ring, trust, false); p != nil {
					b.Fatal(p)
				}
			}
		})
	}
}

package storetest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

// Signer is the suite's signing key (a fixed seed, so that runs agree):
// the factories give it to the stores they open.
var Signer = events.NewEd25519Signer(ed25519.NewKeyFromSeed(seed("grants storetest key")))

// KeyRing trusts the suite's Signer only.
func KeyRing() *events.KeyRing { return events.NewKeyRing([]ed25519.PublicKey{Signer.Public()}, nil) }

func seed(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// signedByStoreKey: every event a store appends carries the key ID and a
// signature over its hash that the key ring verifies, as stored and as
// read back by every read path; another key, or a changed hash, fails.
func signedByStoreKey(t *testing.T, f Factory) {
	h := open(t, f)
	envs, err := h.store.Append(h.ctx, events.AppendRequest{Ref: refP1, Meta: meta("sig-1"), Events: notes("s", 3)})
	if err != nil {
		t.Fatal(err)
	}
	ring := KeyRing()
	check := func(what string, got []events.Envelope) {
		t.Helper()
		if len(got) != len(envs) {
			t.Fatalf("%s: %d events, want %d", what, len(got), len(envs))
		}
		for _, e := range got {
			if e.KeyID != Signer.KeyID() {
				t.Fatalf("%s: event %d has key ID %q, want %q", what, e.Sequence, e.KeyID, Signer.KeyID())
			}
			if err := ring.Verify(&e); err != nil {
				t.Fatalf("%s: event %d: %v", what, e.Sequence, err)
			}
		}
	}
	check("appended", envs)
	check("loaded", h.load(refP1, 0))
	var read []events.Envelope
	if err := h.store.Events(h.ctx, 0, 0, func(e events.Envelope) error { read = append(read, e); return nil }); err != nil {
		t.Fatal(err)
	}
	check("read", read)

	other := events.NewEd25519Signer(ed25519.NewKeyFromSeed(seed("not the service key")))
	if err := events.NewKeyRing([]ed25519.PublicKey{other.Public()}, nil).Verify(&envs[0]); !errors.Is(err, events.ErrUnknownKey) {
		t.Fatalf("a ring without the key verified the event: %v", err)
	}
	forged := envs[0]
	forged.Hash = envs[1].Hash
	if err := ring.Verify(&forged); !errors.Is(err, events.ErrBadSignature) {
		t.Fatalf("a signature moved to another hash verified: %v", err)
	}
	unsigned := envs[0]
	unsigned.Signature = ""
	if err := ring.Verify(&unsigned); !errors.Is(err, events.ErrUnsigned) {
		t.Fatalf("an unsigned event verified: %v", err)
	}
}

package events

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"
)

// RecentSigner is a Signer that remembers the last signatures it made, so
// that the process that signed an event recognises it when it reads it
// back (the command handler folds the events it has just appended, the
// projector applies them, the ledger guard verifies them for its tail
// checkpoints) without verifying a signature it computed a moment ago. A
// stored event is recognised only if its signature is, byte for byte, one
// this signer made for its very hash, which the event's content must
// still match (ChainState checks that): a forged or changed event is
// never taken for its own.
//
// Each signature is kept with the SHA-256 of what it signed, in a ring of
// fixed records without pointers (about 110 bytes a signature with the
// index, none of it scanned by the collector): 65 536 of them, what
// grants serve keeps, hold the ~10 s between two tail checkpoints at
// 6 000 events/s in about 7 MiB.
type RecentSigner struct {
	Signer
	mu  sync.Mutex
	max int
	// index maps a signature's first 8 bytes to its record in ring.
	index map[uint64]int32
	// ring holds the records, oldest at next once full: a fixed ring, so
	// that remembering one costs no copy of the others.
	ring []recentSig
	next int
	// built keeps the last builtSize envelopes Build made with this
	// signer, builtAt finds one by its signature (BuiltHere).
	built     []builtRecord
	builtAt   map[string]int32
	builtNext int
}

// recentSig is one remembered signature and the SHA-256 of its signing
// input (SigningInput of the event's hash).
type recentSig struct {
	sig   [ed25519.SignatureSize]byte
	input [sha256.Size]byte
}

// NewRecentSigner wraps s, remembering its last n signatures.
func NewRecentSigner(s Signer, n int) *RecentSigner {
	n = max(n, 1)
	return &RecentSigner{Signer: s, max: n, index: make(map[uint64]int32, min(n, 4096))}
}

// Sign implements Signer and remembers the signature (one of another size
// than Ed25519's is not remembered: its events are verified as any).
func (r *RecentSigner) Sign(msg []byte) []byte {
	sig := r.Signer.Sign(msg)
	if len(sig) != ed25519.SignatureSize {
		return sig
	}
	rec := recentSig{input: sha256.Sum256(msg)}
	copy(rec.sig[:], sig)
	k := binary.LittleEndian.Uint64(sig)
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.index[k]; ok && r.ring[i] == rec {
		return sig // the same signature again (Ed25519 is deterministic)
	}
	slot := r.next
	if len(r.ring) < r.max {
		if len(r.ring) == cap(r.ring) {
			// Grown by doubling up to the bound, never beyond it.
			grown := make([]recentSig, len(r.ring), min(r.max, max(2*cap(r.ring), 256)))
			copy(grown, r.ring)
			r.ring = grown
		}
		slot = len(r.ring)
		r.ring = append(r.ring, rec)
	} else {
		old := binary.LittleEndian.Uint64(r.ring[slot].sig[:])
		if r.index[old] == int32(slot) {
			delete(r.index, old)
		}
		r.ring[slot] = rec
		r.next = (r.next + 1) % r.max
	}
	// Two signatures sharing their first 8 bytes (never, in practice):
	// the newer is found, the older verified as any.
	r.index[k] = int32(slot)
	return sig
}

// SignedHere reports whether e's signature is one this signer made, with
// its key, for e's hash.
func (r *RecentSigner) SignedHere(e *Envelope) bool {
	if e.KeyID != r.KeyID() || base64.RawURLEncoding.DecodedLen(len(e.Signature)) != ed25519.SignatureSize {
		return false
	}
	var sig [ed25519.SignatureSize]byte
	if n, err := base64.RawURLEncoding.Decode(sig[:], []byte(e.Signature)); err != nil || n != len(sig) {
		return false
	}
	var buf [160]byte
	input := sha256.Sum256(append(append(buf[:0], SignaturePrefix...), e.Hash...))
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.index[binary.LittleEndian.Uint64(sig[:])]
	return ok && r.ring[i] == recentSig{sig: sig, input: input}
}

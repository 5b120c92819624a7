package events

import (
	"encoding/base64"
	"sync"
)

// RecentSigner is a Signer that remembers the last signatures it made, so
// that the process that signed an event recognises it when it reads it
// back (the command handler folds the events it has just appended) without
// verifying a signature it computed a moment ago. A stored event is
// recognised only if its signature is one this signer made for its very
// hash, which the event's content must still match (ChainState checks
// that): a forged or changed event is never taken for its own.
type RecentSigner struct {
	Signer
	mu   sync.Mutex
	max  int
	made map[string]string // raw signature -> signing input
	// ring holds the remembered signatures, oldest at next once full: a
	// fixed ring, so that remembering one costs no copy of the others.
	ring []string
	next int
}

// NewRecentSigner wraps s, remembering its last n signatures.
func NewRecentSigner(s Signer, n int) *RecentSigner {
	return &RecentSigner{Signer: s, max: max(n, 1), made: make(map[string]string, n)}
}

// Sign implements Signer and remembers the signature.
func (r *RecentSigner) Sign(msg []byte) []byte {
	sig := r.Signer.Sign(msg)
	r.mu.Lock()
	defer r.mu.Unlock()
	k := string(sig)
	if _, ok := r.made[k]; !ok {
		r.made[k] = string(msg)
		if len(r.ring) < r.max {
			r.ring = append(r.ring, k)
		} else {
			delete(r.made, r.ring[r.next])
			r.ring[r.next] = k
			r.next = (r.next + 1) % r.max
		}
	}
	return sig
}

// SignedHere reports whether e's signature is one this signer made, with
// its key, for e's hash.
func (r *RecentSigner) SignedHere(e *Envelope) bool {
	if e.KeyID != r.KeyID() || e.Signature == "" {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(e.Signature)
	if err != nil {
		return false
	}
	r.mu.Lock()
	msg, ok := r.made[string(sig)]
	r.mu.Unlock()
	return ok && msg == string(SigningInput(e.Hash))
}

package events

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// FormatTime is the one textual form of a time in headers and hashes:
// RFC 3339 with nanoseconds, in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// CanonicalBytes returns the bytes the hash chain covers for env: a JSON
// object of every field but the stream sequence (unknown before the
// append) and the hashes, in a fixed order (id, org, kind, aggregate_id,
// version, type, schema_version, occurred_at, recorded_at, actor_user,
// actor_role, actor_org, correlation_id, causation_id, idempotency_key,
// reason, payload), strings escaped as encoding/json escapes them, times as
// FormatTime writes them, the payload as stored.
func (e Envelope) CanonicalBytes() []byte { return appendCanonical(nil, &e) }

// ComputeHash returns SHA-256(prevHash || CanonicalBytes()) in hex, where
// prevHash is the previous event's hash decoded from hex.
func (e *Envelope) ComputeHash() string {
	bp := canonicalBufs.Get().(*[]byte)
	b := appendCanonical((*bp)[:0], e)
	h := sha256.New()
	if prev, err := hex.DecodeString(e.PrevHash); err == nil {
		h.Write(prev)
	} else {
		h.Write([]byte(e.PrevHash))
	}
	h.Write(b)
	var sum [sha256.Size]byte
	*bp = b
	canonicalBufs.Put(bp)
	return hex.EncodeToString(h.Sum(sum[:0]))
}

var canonicalBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// HashMatches tells whether e's content matches its Hash: ComputeHash() ==
// e.Hash without allocating (it runs once per event in a replay).
func (e *Envelope) HashMatches() bool {
	if len(e.Hash) != 2*sha256.Size {
		return false
	}
	bp := canonicalBufs.Get().(*[]byte)
	b := (*bp)[:0]
	// The hash input: the previous hash decoded from hex (as written when
	// it is not hex), then the canonical bytes.
	if n := len(e.PrevHash); n%2 != 0 {
		b = append(b, e.PrevHash...)
	} else if n > 0 {
		b = append(b, make([]byte, n/2)...)
		if _, err := hex.Decode(b, []byte(e.PrevHash)); err != nil {
			b = append(b[:0], e.PrevHash...)
		}
	}
	b = appendCanonical(b, e)
	sum := sha256.Sum256(b)
	*bp = b
	canonicalBufs.Put(bp)
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:]) == e.Hash
}

// Seal sets PrevHash and Hash of env so that it follows prev in the chain.
func (e *Envelope) Seal(prev string) {
	e.PrevHash = prev
	e.Hash = e.ComputeHash()
}

// ChainError reports the first event whose hash does not verify.
type ChainError struct {
	Ref      Ref
	Version  uint64
	Sequence uint64
	Reason   string
}

// Error implements error.
func (e *ChainError) Error() string {
	return fmt.Sprintf("hash chain broken at %s version %d (sequence %d): %s", e.Ref, e.Version, e.Sequence, e.Reason)
}

// VerifyChain checks that envs, the events of one aggregate in version
// order starting at version 1, form an unbroken hash chain. It returns the
// last hash, or a *ChainError for the first event that does not verify.
func VerifyChain(envs []Envelope) (string, error) {
	prev := ""
	for i, e := range envs {
		if e.Version != uint64(i+1) {
			return "", &ChainError{Ref: e.Ref, Version: e.Version, Sequence: e.Sequence, Reason: fmt.Sprintf("version %d where %d was expected", e.Version, i+1)}
		}
		if e.PrevHash != prev {
			return "", &ChainError{Ref: e.Ref, Version: e.Version, Sequence: e.Sequence, Reason: "previous hash does not match the event before"}
		}
		if got := e.ComputeHash(); got != e.Hash {
			return "", &ChainError{Ref: e.Ref, Version: e.Version, Sequence: e.Sequence, Reason: "content does not match its hash"}
		}
		prev = e.Hash
	}
	return prev, nil
}

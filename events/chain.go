package events

import (
	"errors"
	"fmt"
	"strings"
)

// Problem kinds: what is wrong with an event (or a stream sequence).
const (
	// ProblemUnsigned: no signature, and no checkpoint covers the event.
	ProblemUnsigned = "unsigned"
	// ProblemSignature: signed by an unknown key, or a signature that
	// does not verify.
	ProblemSignature = "signature"
	// ProblemHash: the content does not match the event's hash.
	ProblemHash = "hash"
	// ProblemChain: the event does not follow the aggregate's last valid
	// event (a wrong version or previous hash: an event before it is lost
	// or was refused).
	ProblemChain = "chain"
	// ProblemUnreadable: the stored record is not an event of any known
	// wire format (see Envelope.Damage).
	ProblemUnreadable = "unreadable"
	// ProblemMissing: a stream sequence holds no record (NATS lost it).
	ProblemMissing = "missing"
	// ProblemCheckpoint: the history does not match a signed checkpoint.
	ProblemCheckpoint = "checkpoint"
)

// Problem is one event (or sequence) that failed its checks.
type Problem struct {
	// Sequence is the stream sequence at fault.
	Sequence uint64 `json:"sequence"`
	// Ref, Type and Version describe the event, when it could be read.
	Ref     Ref    `json:"aggregate"`
	Type    string `json:"type,omitempty"`
	Version uint64 `json:"version,omitempty"`
	// Kind is one of the Problem* constants; Reason says what is wrong.
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	// Resolved tells that the national office has dealt with it (a
	// DamageResolvedType event acknowledges the sequence).
	Resolved bool `json:"resolved"`
}

// String renders the problem on one line.
func (p Problem) String() string {
	what := fmt.Sprintf("sequence %d", p.Sequence)
	if p.Ref.ID != "" {
		what += fmt.Sprintf(" (%s version %d, %s)", p.Ref, p.Version, p.Type)
	}
	return what + ": " + p.Reason
}

// Trust is how ChainState checks a signature.
type Trust int

// Trust levels.
const (
	// TrustSignature checks every event's signature.
	TrustSignature Trust = iota
	// TrustCheckpoint accepts an event without checking its signature: a
	// signed checkpoint later than the event vouches for its chain (the
	// caller compares the heads with it).
	TrustCheckpoint
	// TrustOwnSignature accepts an event without checking its signature
	// again: the caller's process made this very signature for this hash
	// (RecentSigner.SignedHere). The hash is still checked.
	TrustOwnSignature
	// TrustBuilt accepts an event without checking its hash or its
	// signature: the caller's process built this very envelope in Build,
	// which computed both from this content (RecentSigner.BuiltHere
	// compares every field with the one built). The chain is still
	// checked.
	TrustBuilt
)

// ChainState follows one aggregate's chain event by event: the last valid
// event's version, sequence and hash, and the problems met so far. The
// command handler, the projector and whole-stream verification use it,
// so that they agree on which events count.
type ChainState struct {
	Head Head
	// Open are the problems not yet resolved.
	Open []Problem
}

// Check decides whether e counts as the aggregate's next event: its
// content matches its hash, a known key signed it (unless trust says a
// checkpoint vouches for it, or the event is unsigned and legacy is
// true), and it follows the last valid event. A valid event moves the
// head; an invalid one returns its Problem and leaves the head where it
// was. A valid resolution event (see DamageResolvedType) resolves the open
// problems of the sequence it names and is returned in resolved.
func (c *ChainState) Check(e *Envelope, ring *KeyRing, trust Trust, legacy bool) (prob *Problem) {
	fail := func(kind, reason string) *Problem {
		p := Problem{Sequence: e.Sequence, Ref: e.Ref, Type: e.Type, Version: e.Version, Kind: kind, Reason: reason}
		c.Open = append(c.Open, p)
		return &p
	}
	if e.Damage != "" {
		return fail(ProblemUnreadable, "the stored record cannot be read: "+e.Damage)
	}
	if trust != TrustBuilt && !e.HashMatches() {
		return fail(ProblemHash, "its content does not match its hash")
	}
	if trust == TrustSignature && !(legacy && e.Signature == "" && e.KeyID == "") {
		if err := verifyWith(ring, e); err != nil {
			if errors.Is(err, ErrUnsigned) {
				return fail(ProblemUnsigned, "it is not signed by the service")
			}
			return fail(ProblemSignature, "no known key signed it: "+err.Error())
		}
	}
	if e.Version != c.Head.Version+1 || e.PrevHash != c.Head.Hash {
		return fail(ProblemChain, fmt.Sprintf("it does not follow the aggregate's last valid event (version %d, sequence %d)", c.Head.Version, c.Head.Sequence))
	}
	// The head outlives the event: its hash is copied, not kept as a view
	// into the stored message (a wire-format-3 event's strings share its
	// whole body, which a verifier following every aggregate of the stream
	// would otherwise keep alive, one message per aggregate).
	c.Head = Head{Version: e.Version, Sequence: e.Sequence, Hash: strings.Clone(e.Hash)}
	if e.Type == DamageResolvedType {
		if seq, ok := ResolvedSequence(e.Payload); ok {
			c.Resolve(seq)
		}
	}
	return nil
}

// Resolve marks the open problems of seq resolved.
func (c *ChainState) Resolve(seq uint64) {
	open := c.Open[:0]
	for _, p := range c.Open {
		if p.Sequence != seq {
			open = append(open, p)
		}
	}
	c.Open = open
}

// Damaged returns the first unresolved problem, if any.
func (c *ChainState) Damaged() (Problem, bool) {
	if len(c.Open) == 0 {
		return Problem{}, false
	}
	return c.Open[0], true
}

func verifyWith(ring *KeyRing, e *Envelope) error {
	if ring == nil {
		if e.Signature == "" {
			return ErrUnsigned
		}
		return ErrUnknownKey
	}
	return ring.Verify(e)
}

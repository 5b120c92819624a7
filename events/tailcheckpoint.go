package events

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
)

// tailPrefix opens the bytes a tail checkpoint's own signature covers.
const tailPrefix = "grants-checkpoint-tail-v1\n"

// TailCheckpoint is a checkpoint of the events written after a checkpoint
// of the stream, its base: the service verified them (hash, chain and
// signature) as a verification of the whole stream does, and signed the
// heads as of Sequence. It is kept beside the stream, not in it
// (TailCheckpointer), so that checkpoints every few seconds neither
// accumulate in the stream nor leave records that every verification and
// every reader compare or skip. It counts only with its base, the newest
// checkpoint of the stream: its signature covers the base's sequence and
// digest.
type TailCheckpoint struct {
	Checkpoint
	// BaseAt is the stream sequence of the checkpoint it extends.
	BaseAt uint64 `json:"base_at"`
	// BaseDigest is the digest of the checkpoint it extends.
	BaseDigest string `json:"base_digest"`
	// TailSignature is the service's signature of the tail's signing
	// bytes (the base and the checkpoint's own signing bytes).
	TailSignature string `json:"tail_signature"`
}

func (t *TailCheckpoint) signingBytes() []byte {
	b := []byte(tailPrefix)
	b = strconv.AppendUint(b, t.BaseAt, 10)
	b = append(b, '\n')
	b = append(b, t.BaseDigest...)
	b = append(b, '\n')
	return append(b, t.Checkpoint.SigningBytes()...)
}

// NewTailCheckpoint returns cp (signed by s) as the tail of base, the
// newest checkpoint of the stream, signed by s.
func NewTailCheckpoint(cp Checkpoint, base StoredCheckpoint, s Signer) TailCheckpoint {
	cp.Heads = nil
	t := TailCheckpoint{Checkpoint: cp, BaseAt: base.At, BaseDigest: base.Digest}
	t.TailSignature = base64.RawURLEncoding.EncodeToString(s.Sign(t.signingBytes()))
	return t
}

// Verify checks both signatures of the tail and that it extends base.
func (t *TailCheckpoint) Verify(ring *KeyRing, base StoredCheckpoint) error {
	if t.BaseAt != base.At || t.BaseDigest != base.Digest || t.Sequence < base.Sequence {
		return errors.New("the tail checkpoint does not extend the newest checkpoint of the stream")
	}
	if err := t.Checkpoint.Verify(ring); err != nil {
		return err
	}
	if err := ring.VerifySignature(t.KeyID, t.TailSignature, t.signingBytes()); err != nil {
		return fmt.Errorf("the tail checkpoint at sequence %d: %w", t.Sequence, err)
	}
	return nil
}

// TailCheckpointer is implemented by stores that keep tail checkpoints
// beside the stream, the newest of each base.
type TailCheckpointer interface {
	// WriteTailCheckpoint keeps t as the newest tail of its base.
	WriteTailCheckpoint(ctx context.Context, t TailCheckpoint) error
	// TailCheckpoint returns the newest tail of the stream's checkpoint
	// stored at baseAt; false when there is none.
	TailCheckpoint(ctx context.Context, baseAt uint64) (TailCheckpoint, bool, error)
}

// trustedTail returns the newest tail of base in cpr, if cpr keeps tails
// and that tail verifies; else base.
func trustedTail(ctx context.Context, cpr Checkpointer, ring *KeyRing, base StoredCheckpoint) *Checkpoint {
	tc, ok := cpr.(TailCheckpointer)
	if !ok {
		return &base.Checkpoint
	}
	t, found, err := tc.TailCheckpoint(ctx, base.At)
	if err != nil || !found || t.Verify(ring, base) != nil {
		// A tail only saves signature checks: without one, the base.
		return &base.Checkpoint
	}
	return &t.Checkpoint
}

package events

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// CheckpointSubject is the subject of the signed checkpoints in the
// stream: written between the events, ordered with them, never deleted
// (the stream denies deletes).
const CheckpointSubject = SubjectPrefix + ".checkpoint"

// checkpointPrefix opens the bytes a checkpoint signature covers.
const checkpointPrefix = "grants-checkpoint-v1\n"

// ChainHead is where one aggregate's chain stands in a checkpoint: its
// last valid event.
type ChainHead struct {
	Subject  string `json:"subject"`
	Version  uint64 `json:"version"`
	Sequence uint64 `json:"sequence"`
	Hash     string `json:"hash"`
}

// Checkpoint is the service's signed statement of the heads of every
// chain as of a stream sequence. The stream copy holds the digest of the
// heads and the refused sequences; an exported copy (grants checkpoint
// export) also lists the heads, so that a check against it names the
// aggregate at fault.
type Checkpoint struct {
	// Sequence: the checkpoint covers every event with a sequence up to it.
	Sequence uint64 `json:"sequence"`
	// Chains is the number of aggregates.
	Chains int `json:"chains"`
	// Digest is HeadsDigest of the heads.
	Digest string `json:"digest"`
	// Refused are the sequences up to Sequence whose events did not count
	// (quarantined), and lost sequences, in order.
	Refused []uint64 `json:"refused,omitempty"`
	// CreatedAt is when the service wrote it.
	CreatedAt time.Time `json:"created_at"`
	// KeyID and Signature: the service's signature of SigningBytes.
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"`
	// Heads are the heads, in an export only.
	Heads []ChainHead `json:"heads,omitempty"`
}

// HeadsDigest is the hex SHA-256 over the heads sorted by subject, one
// line "<subject> <version> <sequence> <hash>\n" each.
func HeadsDigest(heads []ChainHead) string {
	sorted := slices.Clone(heads)
	slices.SortFunc(sorted, func(a, b ChainHead) int {
		switch {
		case a.Subject < b.Subject:
			return -1
		case a.Subject > b.Subject:
			return 1
		}
		return 0
	})
	h := sha256.New()
	var b []byte
	for _, c := range sorted {
		b = append(b[:0], c.Subject...)
		b = append(b, ' ')
		b = strconv.AppendUint(b, c.Version, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, c.Sequence, 10)
		b = append(b, ' ')
		b = append(b, c.Hash...)
		b = append(b, '\n')
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SigningBytes are the bytes the checkpoint's signature covers.
func (c *Checkpoint) SigningBytes() []byte {
	b := []byte(checkpointPrefix)
	b = strconv.AppendUint(b, c.Sequence, 10)
	b = append(b, '\n')
	b = strconv.AppendInt(b, int64(c.Chains), 10)
	b = append(b, '\n')
	b = append(b, c.Digest...)
	b = append(b, '\n')
	for _, s := range c.Refused {
		b = strconv.AppendUint(b, s, 10)
		b = append(b, ',')
	}
	b = append(b, '\n')
	return append(b, FormatTime(c.CreatedAt)...)
}

// NewCheckpoint returns the checkpoint of heads as of seq, signed by s.
func NewCheckpoint(seq uint64, heads []ChainHead, refused []uint64, at time.Time, s Signer) Checkpoint {
	c := Checkpoint{Sequence: seq, Chains: len(heads), Digest: HeadsDigest(heads), Refused: refused, CreatedAt: at.UTC(), Heads: heads}
	c.KeyID = s.KeyID()
	c.Signature = base64.RawURLEncoding.EncodeToString(s.Sign(c.SigningBytes()))
	return c
}

// Verify checks the checkpoint's signature, and that its heads (when it
// lists them) match its digest.
func (c *Checkpoint) Verify(ring *KeyRing) error {
	if ring == nil {
		return errors.New("no key ring")
	}
	if err := ring.VerifySignature(c.KeyID, c.Signature, c.SigningBytes()); err != nil {
		return fmt.Errorf("the checkpoint at sequence %d: %w", c.Sequence, err)
	}
	if c.Heads != nil && (HeadsDigest(c.Heads) != c.Digest || len(c.Heads) != c.Chains) {
		return fmt.Errorf("the checkpoint at sequence %d: its heads do not match its digest", c.Sequence)
	}
	return nil
}

// Covers tells whether seq lies within the checkpoint.
func (c *Checkpoint) Covers(seq uint64) bool { return c != nil && seq <= c.Sequence }

// Refuses tells whether the checkpoint lists seq as refused.
func (c *Checkpoint) Refuses(seq uint64) bool {
	if c == nil {
		return false
	}
	_, ok := slices.BinarySearch(c.Refused, seq)
	return ok
}

// Checkpointer is implemented by stores that keep signed checkpoints in
// the stream.
type Checkpointer interface {
	// WriteCheckpoint stores c (without its heads) after the events it
	// covers and returns its stream sequence.
	WriteCheckpoint(ctx context.Context, c Checkpoint) (uint64, error)
	// Checkpoints returns every stored checkpoint, oldest first, each with
	// the stream sequence it is stored at.
	Checkpoints(ctx context.Context) ([]StoredCheckpoint, error)
	// LatestCheckpoint returns the newest stored checkpoint; false when
	// there is none. It is cheap where Checkpoints reads them all.
	LatestCheckpoint(ctx context.Context) (StoredCheckpoint, bool, error)
	// Missing returns the sequences between the stream's first and last
	// that hold no record (the stream denies deletes: every one is lost).
	Missing(ctx context.Context) ([]uint64, error)
	// CheckpointAt tells whether the stream holds a checkpoint, not an
	// event, at seq: a reader of events that finds seq skipped asks before
	// it calls it missing.
	CheckpointAt(ctx context.Context, seq uint64) (bool, error)
}

// StoredCheckpoint is a checkpoint with its own stream sequence.
type StoredCheckpoint struct {
	Checkpoint
	// At is the checkpoint message's stream sequence.
	At uint64 `json:"at"`
}

// TrustedCheckpoint returns the newest checkpoint of cpr signed by a key
// of ring, or nil; or the newest tail checkpoint of it (TailCheckpointer)
// when one verifies. Only when the newest is not (a forgery, or a key no
// longer trusted) does it read them all.
func TrustedCheckpoint(ctx context.Context, cpr Checkpointer, ring *KeyRing) (*Checkpoint, error) {
	cp, _, err := TrustedCheckpointOf(ctx, cpr, ring)
	return cp, err
}

// TrustedCheckpointOf is TrustedCheckpoint, with the stream's checkpoint
// it is (or whose tail it is): the base a new tail checkpoint extending
// it names (NewTailCheckpoint).
func TrustedCheckpointOf(ctx context.Context, cpr Checkpointer, ring *KeyRing) (*Checkpoint, StoredCheckpoint, error) {
	last, ok, err := cpr.LatestCheckpoint(ctx)
	if err != nil || !ok {
		return nil, StoredCheckpoint{}, err
	}
	if last.Verify(ring) == nil {
		return trustedTail(ctx, cpr, ring, last), last, nil
	}
	cps, err := cpr.Checkpoints(ctx)
	if err != nil {
		return nil, StoredCheckpoint{}, err
	}
	for i := len(cps) - 1; i >= 0; i-- {
		if cps[i].Verify(ring) == nil {
			return trustedTail(ctx, cpr, ring, cps[i]), cps[i], nil
		}
	}
	return nil, StoredCheckpoint{}, nil
}

// maxCheckedGap bounds the gaps WithoutCheckpoints looks into sequence by
// sequence: checkpoints are single messages far apart.
const maxCheckedGap = 64

// WithoutCheckpoints returns the runs of h that hold no checkpoint of
// src (when src keeps checkpoints in its sequence): what a reader of
// events that skipped h is really missing.
func WithoutCheckpoints(ctx context.Context, src any, h Hole) ([]Hole, error) {
	cpr, ok := src.(Checkpointer)
	if !ok || h.Count() > maxCheckedGap {
		return []Hole{h}, nil
	}
	var out []Hole
	for seq := h.From; seq <= h.To; seq++ {
		cp, err := cpr.CheckpointAt(ctx, seq)
		if err != nil {
			return nil, err
		}
		switch {
		case cp:
		case len(out) > 0 && out[len(out)-1].To == seq-1:
			out[len(out)-1].To = seq
		default:
			out = append(out, Hole{From: seq, To: seq})
		}
	}
	return out, nil
}

package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// canonical is the fixed-order form of an envelope that the hash covers:
// everything but the stream sequence (unknown before the append) and the
// hashes themselves.
type canonical struct {
	ID             string          `json:"id"`
	Org            string          `json:"org"`
	Kind           string          `json:"kind"`
	AggregateID    string          `json:"aggregate_id"`
	Version        uint64          `json:"version"`
	Type           string          `json:"type"`
	SchemaVersion  int             `json:"schema_version"`
	OccurredAt     string          `json:"occurred_at"`
	RecordedAt     string          `json:"recorded_at"`
	ActorUser      string          `json:"actor_user"`
	ActorRole      string          `json:"actor_role"`
	ActorOrg       string          `json:"actor_org"`
	CorrelationID  string          `json:"correlation_id"`
	CausationID    string          `json:"causation_id"`
	IdempotencyKey string          `json:"idempotency_key"`
	Reason         string          `json:"reason"`
	Payload        json.RawMessage `json:"payload"`
}

// FormatTime is the one textual form of a time in headers and hashes:
// RFC 3339 with nanoseconds, in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// CanonicalBytes returns the bytes the hash chain covers for env.
func (e Envelope) CanonicalBytes() []byte {
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	b, err := json.Marshal(canonical{
		ID: e.ID, Org: e.Ref.Org, Kind: e.Ref.Kind, AggregateID: e.Ref.ID,
		Version: e.Version, Type: e.Type, SchemaVersion: e.SchemaVersion,
		OccurredAt: FormatTime(e.OccurredAt), RecordedAt: FormatTime(e.RecordedAt),
		ActorUser: e.Actor.UserID, ActorRole: e.Actor.Role, ActorOrg: e.Actor.Org,
		CorrelationID: e.CorrelationID, CausationID: e.CausationID,
		IdempotencyKey: e.IdempotencyKey, Reason: e.Reason, Payload: payload,
	})
	if err != nil {
		// Only an invalid JSON payload can fail here; hash it as raw bytes
		// so that verification of a corrupted event reports a mismatch.
		return append([]byte(fmt.Sprintf("invalid:%s:", e.ID)), e.Payload...)
	}
	return b
}

// ComputeHash returns SHA-256(prevHash || CanonicalBytes()) in hex, where
// prevHash is the previous event's hash decoded from hex.
func (e Envelope) ComputeHash() string {
	h := sha256.New()
	if prev, err := hex.DecodeString(e.PrevHash); err == nil {
		h.Write(prev)
	} else {
		h.Write([]byte(e.PrevHash))
	}
	h.Write(e.CanonicalBytes())
	return hex.EncodeToString(h.Sum(nil))
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

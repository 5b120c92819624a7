package events

import (
	"encoding/json"
	"strings"
	"time"
)

// Actor is who caused an event: the authenticated user, the role they acted
// in, and the organisation they act for (empty for the national office).
type Actor struct {
	UserID string `json:"user_id"`
	Role   string `json:"role"`
	Org    string `json:"org,omitempty"`
}

// Ref names one aggregate: its organisation, kind and ID.
type Ref struct {
	Org  string `json:"org"`
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Subject is the NATS subject of the aggregate's events.
func (r Ref) Subject() string { return SubjectPrefix + "." + r.Org + "." + r.Kind + "." + r.ID }

// Clone returns r with strings of its own: a Ref decoded from a stored
// message may share that message's memory, which a Ref kept beyond the
// event (a map key, a remembered head) would keep alive.
func (r Ref) Clone() Ref {
	return Ref{Org: strings.Clone(r.Org), Kind: strings.Clone(r.Kind), ID: strings.Clone(r.ID)}
}

// String renders the reference for logs and errors.
func (r Ref) String() string { return r.Kind + "/" + r.ID + "@" + r.Org }

// OrgSubject is the wildcard subject of every aggregate of one organisation:
// the organisation-wide consistency boundary.
func OrgSubject(org string) string { return SubjectPrefix + "." + org + ".>" }

// SubjectPrefix is the first token of every event subject.
const SubjectPrefix = "grants"

// AllSubjects is the wildcard that matches every event.
const AllSubjects = SubjectPrefix + ".>"

// Envelope is one recorded event with all its metadata.
type Envelope struct {
	// ID is the event's UUID v7.
	ID string `json:"id"`
	// Ref is the aggregate the event belongs to.
	Ref Ref `json:"ref"`
	// Version is the event's position within its aggregate, from 1.
	Version uint64 `json:"version"`
	// Sequence is the global stream sequence (0 before the event is stored).
	Sequence uint64 `json:"sequence"`
	// Type is the registered event type name.
	Type string `json:"type"`
	// SchemaVersion is the payload's schema version.
	SchemaVersion int `json:"schema_version"`
	// OccurredAt is the effective (business) time of the event. When the
	// national office records the past, it differs from RecordedAt.
	OccurredAt time.Time `json:"occurred_at"`
	// RecordedAt is when the ledger recorded the event.
	RecordedAt time.Time `json:"recorded_at"`
	// Actor is who caused the event.
	Actor Actor `json:"actor"`
	// CorrelationID ties together everything caused by one request.
	CorrelationID string `json:"correlation_id,omitempty"`
	// CausationID is the ID of the command or event that caused this one.
	CausationID string `json:"causation_id,omitempty"`
	// IdempotencyKey is the key of the command that produced the event.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Reason is the free-text "why" given with the command, for the audit.
	Reason string `json:"reason,omitempty"`
	// Payload is the event body as compact JSON.
	Payload json.RawMessage `json:"payload"`
	// PrevHash is the hash of the previous event of the same aggregate (hex),
	// empty for the first event.
	PrevHash string `json:"prev_hash,omitempty"`
	// Hash is SHA-256(PrevHash || CanonicalBytes()), hex-encoded.
	Hash string `json:"hash"`
	// KeyID names the service key that signed the event (empty for events
	// written before events were signed).
	KeyID string `json:"key_id,omitempty"`
	// Signature is the Ed25519 signature of SigningInput(Hash) by KeyID,
	// base64url without padding.
	Signature string `json:"signature,omitempty"`
	// Damage, when set, says why the stored record could not be read as an
	// event: a store hands such records to its readers (with the sequence
	// and, when the subject names one, the aggregate) rather than stopping,
	// so that verification reports them and the projector quarantines them.
	// Nothing else of the envelope is to be trusted.
	Damage string `json:"-"`
}

// Head is where an aggregate stands: its last version, the stream sequence of
// that version and its hash. The zero Head is an aggregate with no events.
type Head struct {
	Version  uint64 `json:"version"`
	Sequence uint64 `json:"sequence"`
	Hash     string `json:"hash,omitempty"`
}

// HeadOf returns the head after env.
func HeadOf(env Envelope) Head {
	return Head{Version: env.Version, Sequence: env.Sequence, Hash: env.Hash}
}

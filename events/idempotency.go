package events

import "context"

// IdempotencyRecord is what a command produced, kept under its idempotency
// key so that a retry returns the first answer even after the stream's
// duplicate window has passed.
type IdempotencyRecord struct {
	// Fingerprint identifies the command (type and body); a key reused for
	// a different command is refused.
	Fingerprint string `json:"fingerprint"`
	// Ref is the aggregate the command changed.
	Ref Ref `json:"ref"`
	// Version is the aggregate's version after the command.
	Version uint64 `json:"version"`
	// Sequences are the stream sequences of the events written.
	Sequences []uint64 `json:"sequences"`
	// Response is an optional opaque answer kept by the caller (the API
	// stores its HTTP status and body here).
	Response []byte `json:"response,omitempty"`
}

// IdempotencyStore keeps idempotency records. Keys are opaque strings
// already scoped by the caller (for example a hash of actor and key).
type IdempotencyStore interface {
	// Get returns the record under key; ok is false if there is none.
	Get(ctx context.Context, key string) (rec IdempotencyRecord, ok bool, err error)
	// Put stores rec under key, replacing any earlier record.
	Put(ctx context.Context, key string, rec IdempotencyRecord) error
	// Create stores rec under key only if no record is there yet, in one
	// atomic step: of several racing callers exactly one gets created
	// true. The others get the record that is there.
	Create(ctx context.Context, key string, rec IdempotencyRecord) (existing IdempotencyRecord, created bool, err error)
}

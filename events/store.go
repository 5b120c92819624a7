package events

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Draft is an event about to be appended: the store fills in the rest of
// the envelope.
type Draft struct {
	// Payload is a value of a registered event type.
	Payload any
	// OccurredAt is the effective time of the event.
	OccurredAt time.Time
}

// Meta is what a command says about itself; every event it produces carries it.
type Meta struct {
	Actor         Actor
	CorrelationID string
	CausationID   string
	// IdempotencyKey, when set, is "<scope>" or "<scope>.<request>": the
	// client's key (scoped to its user) and what identifies the request
	// made under it (the command handler puts the start of the request's
	// fingerprint there). The store recognises a repeat by the scope
	// alone (DedupID), so one key admits one request: see Store.Append.
	IdempotencyKey string
	Reason         string
	// RecordedAt is when the ledger records the events (the clock's now).
	RecordedAt time.Time
}

// AppendRequest asks the store to append events to one aggregate.
type AppendRequest struct {
	// Ref is the aggregate the events belong to.
	Ref Ref
	// Expected is the aggregate's head as the decision saw it; the append
	// fails with a *ConflictError if the aggregate has moved on.
	Expected Head
	// OrgWide, when set, widens the consistency boundary to every aggregate
	// of Ref.Org: the append fails if any event was appended under
	// grants.<org>.> after OrgSequence.
	OrgWide bool
	// OrgSequence is the last stream sequence of the organisation's
	// subjects that the decision saw (with OrgWide).
	OrgSequence uint64
	// Meta is copied to every event.
	Meta Meta
	// Events are appended in order; more than one is written atomically.
	Events []Draft
}

// Store is the event store. Implementations must pass the shared suite in
// events/storetest.
type Store interface {
	// Append writes the events of one command with optimistic concurrency
	// and returns them as stored (with sequence, version and hash). A stale
	// Expected head or organisation sequence returns a *ConflictError. An
	// append whose idempotency key was already applied writes nothing and
	// returns the events first stored: within the duplicate window
	// wherever the key was used (the stream's deduplication is atomic,
	// so of racing appends under one key exactly one writes), and at any
	// time when the append is decided on the head before them (they are
	// found on the aggregate). A repeat whose key names another request
	// under the same scope, or whose scope was used for another
	// aggregate, writes nothing and returns a *KeyReusedError.
	// Aggregate IDs are global: the first append of an aggregate
	// (Expected.Version 0) binds its kind and ID to Ref.Org, atomically,
	// and returns an *IDTakenError if another organisation holds them. The
	// binding stays even if the append then fails (a conflict): the
	// organisation may try again, no other may take the ID; Locate then
	// names the organisation though the aggregate has no events yet.
	Append(ctx context.Context, req AppendRequest) ([]Envelope, error)
	// Load returns the events of one aggregate with a stream sequence above
	// afterSeq, in order. Load(ref, 0) is the whole history.
	Load(ctx context.Context, ref Ref, afterSeq uint64) ([]Envelope, error)
	// LoadOrg returns the events of every aggregate of org with a stream
	// sequence above afterSeq, in stream order.
	LoadOrg(ctx context.Context, org string, afterSeq uint64) ([]Envelope, error)
	// Locate finds the organisation that owns aggregate kind/id.
	// It returns ErrNotFound if the aggregate has no events and its ID
	// was never bound (see Append).
	Locate(ctx context.Context, kind, id string) (string, error)
	// Events calls fn for every event with from <= sequence <= to (to = 0:
	// up to the last event at the time of the call), in stream order.
	Events(ctx context.Context, from, to uint64, fn func(Envelope) error) error
	// Subscribe calls fn for every event from sequence from on, in order,
	// and keeps following new events until ctx ends or fn returns an error.
	// It returns fn's error, or ctx's error when ctx ends.
	Subscribe(ctx context.Context, from uint64, fn func(Envelope) error) error
	// LastSequence is the stream's last sequence (0 when empty).
	LastSequence(ctx context.Context) (uint64, error)
}

// ErrNotFound is returned when an aggregate or event does not exist.
var ErrNotFound = errors.New("not found")

// ConflictError is returned by Append when the aggregate (or the
// organisation, with OrgWide) has moved on since the decision was made.
type ConflictError struct {
	// Ref is the aggregate the append was for.
	Ref Ref
	// Expected is the version the command was decided on.
	Expected uint64
	// Actual is the aggregate's current version.
	Actual uint64
	// OrgWide tells that the organisation boundary, not the aggregate, moved.
	OrgWide bool
}

// Error implements error.
func (e *ConflictError) Error() string {
	if e.OrgWide {
		return fmt.Sprintf("conflict: organisation %s changed since the decision on %s", e.Ref.Org, e.Ref)
	}
	return fmt.Sprintf("conflict: %s is at version %d, not %d", e.Ref, e.Actual, e.Expected)
}

// IDTakenError is returned by Append when the first event of an aggregate
// names a kind and ID that another organisation's aggregate holds.
type IDTakenError struct {
	// Ref is the aggregate the append was for.
	Ref Ref
}

// Error implements error; it does not name the holder.
func (e *IDTakenError) Error() string {
	return fmt.Sprintf("the %s ID %s is held by another organisation", e.Ref.Kind, e.Ref.ID)
}

// KeyReusedError is returned by Append when the scope of its idempotency
// key was already used for another request: another aggregate, or the
// same aggregate under a key that names another request.
type KeyReusedError struct {
	// Ref is the aggregate the refused append was for.
	Ref Ref
	// Used is the aggregate the key's first events belong to, when known.
	Used Ref
}

// Error implements error; it does not name the key.
func (e *KeyReusedError) Error() string {
	switch e.Used {
	case e.Ref:
		return fmt.Sprintf("the idempotency key of the append to %s was already used for another request", e.Ref)
	case Ref{}:
		return fmt.Sprintf("the idempotency key of the append to %s was already used for another aggregate", e.Ref)
	}
	return fmt.Sprintf("the idempotency key of the append to %s was already used for %s", e.Ref, e.Used)
}

// ErrConflict matches any *ConflictError with errors.Is.
var ErrConflict = errors.New("conflict")

// Is lets errors.Is(err, ErrConflict) match.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// LastOf is the stream sequence of an aggregate's last event.
type LastOf struct {
	Ref      Ref
	Sequence uint64
}

// OrgChanges is implemented by a Store that tells which aggregates of an
// organisation changed after a stream sequence without reading their
// events: an organisation-wide decision then catches up on those
// aggregates alone, at a cost that follows the organisation's aggregates,
// not its events.
type OrgChanges interface {
	// ChangedSince returns the aggregates of org whose last event has a
	// stream sequence above afterSeq, each with that sequence, and upTo,
	// the stream's last sequence when it looked: every event of org up to
	// upTo is at or below those last sequences (0 when org has no event).
	// ok is false when it cannot tell (too many aggregates changed); the
	// caller uses LoadOrg.
	ChangedSince(ctx context.Context, org string, afterSeq uint64) (changed []LastOf, upTo uint64, ok bool, err error)
}

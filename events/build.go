package events

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/google/uuid"
)

// MaxEventsPerAppend is the most events one append may hold (JetStream's
// limit on an atomic batch).
const MaxEventsPerAppend = 1000

// Size limits of one event, as the JetStream store meets them: NATS
// refuses a message over 1 MiB (headers and payload) and headers over
// 64 KiB.
const (
	// MaxPayloadBytes is the largest JSON payload of one event.
	MaxPayloadBytes = 1<<20 - 8<<10
	// MaxMetadataBytes bounds the free-text metadata of one event.
	MaxMetadataBytes = 60 << 10
)

// Build turns the drafts of req into sealed envelopes that follow
// req.Expected: IDs (UUID v7), versions, type names and schema versions
// from reg, payloads as JSON, times in UTC (RecordedAt from clock when the
// request has none), metadata copied, hash chain sealed, each event signed
// by signer (nil leaves them unsigned, for tests of the formats only).
// Every Store implementation builds its envelopes here.
func Build(reg *Registry, clock Clock, signer Signer, req AppendRequest) ([]Envelope, error) {
	if err := req.Ref.Validate(); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "invalid aggregate reference: %v", err)
	}
	if len(req.Events) == 0 {
		return nil, apperr.New(apperr.Invalid, "append to %s has no events", req.Ref)
	}
	if len(req.Events) > MaxEventsPerAppend {
		return nil, apperr.New(apperr.Invalid, "append to %s has %d events; one append holds at most %d", req.Ref, len(req.Events), MaxEventsPerAppend)
	}
	recorded := req.Meta.RecordedAt
	if recorded.IsZero() {
		if clock == nil {
			return nil, apperr.New(apperr.Invalid, "append to %s: Meta.RecordedAt is not set and the store has no clock", req.Ref)
		}
		recorded = clock.Now()
	}
	recorded = recorded.UTC()
	m := req.Meta
	if n := len(m.Reason) + len(m.CorrelationID) + len(m.CausationID) + len(m.IdempotencyKey) + len(m.Actor.UserID) + len(m.Actor.Role) + len(m.Actor.Org); n > MaxMetadataBytes {
		return nil, apperr.New(apperr.Invalid, "an event of the append to %s is too large to store (%d bytes of metadata)", req.Ref, n)
	}
	out := make([]Envelope, len(req.Events))
	prev := req.Expected.Hash
	for i, d := range req.Events {
		name, schema, err := reg.NameOf(d.Payload)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "event %d of the append to %s has an unregistered type", i, req.Ref)
		}
		payload, err := marshalPayload(d.Payload)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "encoding event %s", name)
		}
		if len(payload) > MaxPayloadBytes {
			return nil, apperr.New(apperr.Invalid, "an event of the append to %s is too large to store (%d bytes of payload)", req.Ref, len(payload))
		}
		id, err := uuid.NewV7()
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "generating an event ID")
		}
		occurred := d.OccurredAt
		if occurred.IsZero() {
			occurred = recorded
		}
		e := Envelope{
			ID: id.String(), Ref: req.Ref, Version: req.Expected.Version + uint64(i) + 1,
			Type: name, SchemaVersion: schema,
			OccurredAt: occurred.UTC(), RecordedAt: recorded,
			Actor: req.Meta.Actor, CorrelationID: req.Meta.CorrelationID, CausationID: req.Meta.CausationID,
			IdempotencyKey: req.Meta.IdempotencyKey, Reason: req.Meta.Reason,
			Payload: payload,
		}
		e.Seal(prev)
		if signer != nil {
			e.Sign(signer)
			if rs, ok := signer.(*RecentSigner); ok {
				// Its own readers need not check its hash again.
				rs.rememberBuilt(&e)
			}
		}
		prev = e.Hash
		out[i] = e
	}
	return out, nil
}

// DedupID is the deduplication ID (Nats-Msg-Id) of event i of an append:
// derived from the idempotency key's scope when there is a key (see
// Meta.IdempotencyKey), so that a retry is recognised and another request
// under the same key collides with the first, else the event's own ID.
func DedupID(key string, i int, eventID string) string {
	if key == "" {
		return eventID
	}
	sum := sha256.Sum256([]byte(KeyScope(key)))
	return hex.EncodeToString(sum[:])[:32] + "-" + strconv.Itoa(i)
}

// KeyScope is the scope of an idempotency key (Meta.IdempotencyKey): the
// part before the first ".", or the whole key.
func KeyScope(key string) string {
	scope, _, _ := strings.Cut(key, ".")
	return scope
}

// Conflict returns the error for an append whose head is stale; actual is
// the aggregate's current version.
func (req AppendRequest) Conflict(actual uint64) error {
	return &ConflictError{Ref: req.Ref, Expected: req.Expected.Version, Actual: actual, OrgWide: req.OrgWide}
}

// JSONAppender is a value that writes its own JSON: AppendJSON appends
// exactly the bytes json.Marshal writes for it, or returns ok false (and b
// as it was) for a value it leaves to json.Marshal. Build encodes such a
// payload with it (a report's event: aggregates.MobilityReported).
type JSONAppender interface {
	AppendJSON(b []byte) ([]byte, bool)
}

// JSONDecoder is a payload type that reads its own JSON (a pointer to
// it): DecodeJSON reads b into the zero value it is called on and returns
// true only when the value is exactly what json.Unmarshal gives; false
// leaves b to json.Unmarshal, on a fresh value (which then also reports
// what is wrong with b). Registry.Decode uses it (a report's event:
// aggregates.MobilityReported).
type JSONDecoder interface {
	DecodeJSON(b []byte) bool
}

// marshalPayload is json.Marshal(v), through v's own AppendJSON when it
// has one that writes v: into a pooled buffer, then copied out at its
// size, as json.Marshal does (a fresh 2 KiB buffer cost more to allocate
// and clear than the encoding saved).
func marshalPayload(v any) ([]byte, error) {
	if a, ok := v.(JSONAppender); ok {
		bp := payloadBufs.Get().(*[]byte)
		b, ok := a.AppendJSON((*bp)[:0])
		var out []byte
		if ok {
			out = bytes.Clone(b)
		}
		if cap(b) <= 64<<10 {
			*bp = b[:0]
		}
		payloadBufs.Put(bp)
		if ok {
			return out, nil
		}
	}
	return json.Marshal(v)
}

// payloadBufs holds the scratch buffers of marshalPayload.
var payloadBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

package jetstream

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
)

// NATS headers cannot carry line breaks and trim surrounding blanks, yet
// the free-text fields (reason, actor, IDs given by clients) are hashed
// exactly as written. A value that would not survive a header verbatim is
// written as encodedPrefix + base64url(value).
const encodedPrefix = "b64:"

// encodeValue returns the header form of a free-text value.
func encodeValue(v string) string {
	if headerSafe(v) {
		return v
	}
	return encodedPrefix + base64.RawURLEncoding.EncodeToString([]byte(v))
}

// decodeValue reverses encodeValue.
func decodeValue(v string) (string, error) {
	if !strings.HasPrefix(v, encodedPrefix) {
		return v, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v[len(encodedPrefix):])
	if err != nil {
		return "", fmt.Errorf("header value %q: %w", v, err)
	}
	return string(b), nil
}

// headerSafe tells whether v travels in a header unchanged.
func headerSafe(v string) bool {
	if v == "" {
		return true
	}
	if v[0] == ' ' || v[0] == '\t' || v[len(v)-1] == ' ' || v[len(v)-1] == '\t' || strings.HasPrefix(v, encodedPrefix) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// envelopeHeader returns the headers that carry e (all but its payload).
// The header map has room for extra NATS control headers the caller adds.
// All values share one backing array: one allocation instead of one per
// header.
func envelopeHeader(e *events.Envelope, extra int) nats.Header {
	h := make(nats.Header, 18+extra)
	vals := make([]string, 0, 18)
	set := func(k, v string) {
		vals = append(vals, v)
		n := len(vals)
		h[k] = vals[n-1 : n : n]
	}
	// The aggregate (org, kind, ID) is the subject; a header of its own
	// would only cost every reader a parse.
	set(events.HeaderEventID, e.ID)
	set(events.HeaderVersion, strconv.FormatUint(e.Version, 10))
	set(events.HeaderType, encodeValue(e.Type))
	if e.SchemaVersion != 1 {
		set(events.HeaderSchema, strconv.Itoa(e.SchemaVersion))
	}
	recorded := events.FormatTime(e.RecordedAt)
	set(events.HeaderRecordedAt, recorded)
	if occurred := events.FormatTime(e.OccurredAt); occurred != recorded {
		set(events.HeaderOccurredAt, occurred)
	}
	set(events.HeaderActorUser, encodeValue(e.Actor.UserID))
	set(events.HeaderActorRole, encodeValue(e.Actor.Role))
	set(events.HeaderHash, e.Hash)
	// Optional fields are left out when empty.
	optional := [...][2]string{
		{events.HeaderActorOrg, e.Actor.Org},
		{events.HeaderCorrelationID, e.CorrelationID},
		{events.HeaderCausationID, e.CausationID},
		{events.HeaderIdempotencyKey, e.IdempotencyKey},
		{events.HeaderReason, e.Reason},
		{events.HeaderPrevHash, e.PrevHash},
	}
	for _, kv := range optional {
		if kv[1] != "" {
			set(kv[0], encodeValue(kv[1]))
		}
	}
	return h
}

// DecodeMsg turns a stored message of the GRANTS stream into an envelope:
// subject, headers and body as delivered, seq its stream sequence. It checks
// the format only; whether the type is known is the registry's business.
func DecodeMsg(subject string, h nats.Header, data []byte, seq uint64) (events.Envelope, error) {
	var e events.Envelope
	d := decoder{h: h}
	ref, ok := refOf(subject)
	if !ok {
		return events.Envelope{}, fmt.Errorf("event at sequence %d: subject %q is not grants.<org>.<kind>.<id>", seq, subject)
	}
	e.Ref = ref
	e.ID = d.raw(events.HeaderEventID, true)
	e.Version = d.uint(events.HeaderVersion, true)
	e.Sequence = seq
	e.Type = d.text(events.HeaderType, true)
	e.SchemaVersion = 1
	if v := d.uint(events.HeaderSchema, false); v != 0 {
		e.SchemaVersion = int(v)
	}
	e.RecordedAt = d.time(events.HeaderRecordedAt, true)
	e.OccurredAt = e.RecordedAt
	if t := d.time(events.HeaderOccurredAt, false); !t.IsZero() {
		e.OccurredAt = t
	}
	e.Actor = events.Actor{UserID: d.text(events.HeaderActorUser, false), Role: d.text(events.HeaderActorRole, false), Org: d.text(events.HeaderActorOrg, false)}
	e.CorrelationID = d.text(events.HeaderCorrelationID, false)
	e.CausationID = d.text(events.HeaderCausationID, false)
	e.IdempotencyKey = d.text(events.HeaderIdempotencyKey, false)
	e.Reason = d.text(events.HeaderReason, false)
	e.PrevHash = d.raw(events.HeaderPrevHash, false)
	e.Hash = d.raw(events.HeaderHash, true)
	e.Payload = data
	if d.err != nil {
		return events.Envelope{}, fmt.Errorf("event at sequence %d on %s: %w", seq, subject, d.err)
	}
	return e, nil
}

// refOf parses an event subject grants.<org>.<kind>.<id>.
func refOf(subject string) (events.Ref, bool) {
	rest, ok := strings.CutPrefix(subject, events.SubjectPrefix+".")
	if !ok {
		return events.Ref{}, false
	}
	org, rest, ok1 := strings.Cut(rest, ".")
	kind, id, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || org == "" || kind == "" || id == "" || strings.Contains(id, ".") {
		return events.Ref{}, false
	}
	return events.Ref{Org: org, Kind: kind, ID: id}, true
}

// decoder reads header values and keeps the first error.
type decoder struct {
	h   nats.Header
	err error
}

func (d *decoder) raw(key string, required bool) string {
	v := d.h[key]
	if len(v) == 0 || v[0] == "" {
		if required && d.err == nil {
			d.err = fmt.Errorf("header %s is missing", key)
		}
		return ""
	}
	return v[0]
}

func (d *decoder) text(key string, required bool) string {
	v := d.raw(key, required)
	if len(v) < len(encodedPrefix) || v[0] != encodedPrefix[0] {
		return v
	}
	s, err := decodeValue(v)
	if err != nil && d.err == nil {
		d.err = err
	}
	return s
}

func (d *decoder) uint(key string, required bool) uint64 {
	v := d.raw(key, required)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("header %s: %w", key, err)
	}
	return n
}

func (d *decoder) time(key string, required bool) time.Time {
	v := d.raw(key, required)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil && d.err == nil {
		d.err = fmt.Errorf("header %s: %w", key, err)
	}
	return t.UTC()
}

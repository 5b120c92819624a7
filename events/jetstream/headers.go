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

// decodeValue reverses the encoding of a free-text header value of wire
// format 1: encodedPrefix + base64url(value) when the value would not
// survive a header verbatim.
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

// packedTag opens the value of events.HeaderEvent: the wire format.
const packedTag = "2"

// packedSep separates the fields of events.HeaderEvent.
const packedSep = '|'

// packedFields is the number of fields of events.HeaderEvent, the tag
// included.
const packedFields = 16

// decodePacked fills e from the value of events.HeaderEvent.
func decodePacked(v string, e *events.Envelope) error {
	var f [packedFields]string
	n := 0
	for n < packedFields-1 {
		i := strings.IndexByte(v, packedSep)
		if i < 0 {
			break
		}
		f[n], v = v[:i], v[i+1:]
		n++
	}
	f[n] = v
	if n != packedFields-1 || strings.IndexByte(v, packedSep) >= 0 {
		return fmt.Errorf("header %s has %d fields, want %d", events.HeaderEvent, n+1, packedFields)
	}
	if f[0] != packedTag {
		return fmt.Errorf("header %s: unknown wire format %q", events.HeaderEvent, f[0])
	}
	d := packedDecoder{}
	e.ID = d.required("event id", f[1])
	e.Version = d.uint("version", d.required("version", f[2]))
	e.Type = d.text(d.required("type", f[3]))
	e.SchemaVersion = 1
	if f[4] != "" {
		e.SchemaVersion = int(d.uint("schema version", f[4]))
	}
	e.RecordedAt = d.time("recorded at", d.required("recorded at", f[5]))
	e.OccurredAt = e.RecordedAt
	if f[6] != "" {
		e.OccurredAt = d.time("occurred at", f[6])
	}
	e.Actor = events.Actor{UserID: d.text(f[7]), Role: d.text(f[8]), Org: d.text(f[9])}
	e.CorrelationID = d.text(f[10])
	e.CausationID = d.text(f[11])
	e.IdempotencyKey = d.text(f[12])
	e.Reason = d.text(f[13])
	e.PrevHash = f[14]
	e.Hash = d.required("hash", f[15])
	if d.err != nil {
		return fmt.Errorf("header %s: %w", events.HeaderEvent, d.err)
	}
	return nil
}

// packedDecoder reads the fields of events.HeaderEvent and keeps the
// first error.
type packedDecoder struct{ err error }

func (d *packedDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *packedDecoder) required(name, v string) string {
	if v == "" {
		d.fail(fmt.Errorf("the %s is missing", name))
	}
	return v
}

func (d *packedDecoder) text(v string) string {
	if len(v) < len(encodedPrefix) || v[0] != encodedPrefix[0] {
		return v
	}
	s, err := decodeValue(v)
	if err != nil {
		d.fail(err)
	}
	return s
}

func (d *packedDecoder) uint(name, v string) uint64 {
	if v == "" {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		d.fail(fmt.Errorf("%s: %w", name, err))
	}
	return n
}

func (d *packedDecoder) time(name, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		d.fail(fmt.Errorf("%s: %w", name, err))
	}
	return t.UTC()
}

// DecodeMsg turns a stored message of the GRANTS stream into an envelope:
// subject, headers and body as delivered, seq its stream sequence. It reads
// the three wire formats (see events/doc.go) and checks the format only;
// whether the type is known is the registry's business. The envelope's
// payload and, in wire format 3, its strings alias data, which must not
// change afterwards.
func DecodeMsg(subject string, h nats.Header, data []byte, seq uint64) (events.Envelope, error) {
	var e events.Envelope
	d := decoder{h: h}
	ref, ok := refOf(subject)
	if !ok {
		return events.Envelope{}, fmt.Errorf("event at sequence %d: subject %q is not grants.<org>.<kind>.<id>", seq, subject)
	}
	e.Ref = ref
	e.Sequence = seq
	e.Payload = data
	if isCloudEvent(data) {
		if err := decodeCloudEvent(data, &e); err != nil {
			return events.Envelope{}, fmt.Errorf("event at sequence %d on %s: %w", seq, subject, err)
		}
		return e, nil
	}
	if v := h[events.HeaderEvent]; len(v) > 0 {
		if err := decodePacked(v[0], &e); err != nil {
			return events.Envelope{}, fmt.Errorf("event at sequence %d on %s: %w", seq, subject, err)
		}
		return e, nil
	}
	// Wire format 1: one header per field.
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

// decodeStored is DecodeMsg for the read paths: a record that cannot be
// decoded comes back as an envelope with Damage set (its sequence, and its
// aggregate when the subject names one), for the reader to report or
// quarantine rather than stop on.
func decodeStored(subject string, h nats.Header, data []byte, seq uint64) events.Envelope {
	e, err := DecodeMsg(subject, h, data, seq)
	if err == nil {
		return e
	}
	ref, ok := refOf(subject)
	if !ok {
		ref = events.Ref{Org: "unknown", Kind: "unknown", ID: "unknown"}
	}
	return events.Envelope{Ref: ref, Sequence: seq, Damage: err.Error()}
}

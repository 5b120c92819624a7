package events

import (
	"encoding/json"
	"strconv"
	"time"
)

// appendCanonical appends the canonical JSON form of e (the field order of
// events' canonical struct).
func appendCanonical(b []byte, e *Envelope) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"org":`...)
	b = appendString(b, e.Ref.Org)
	b = append(b, `,"kind":`...)
	b = appendString(b, e.Ref.Kind)
	b = append(b, `,"aggregate_id":`...)
	b = appendString(b, e.Ref.ID)
	b = append(b, `,"version":`...)
	b = strconv.AppendUint(b, e.Version, 10)
	b = append(b, `,"type":`...)
	b = appendString(b, e.Type)
	b = append(b, `,"schema_version":`...)
	b = strconv.AppendInt(b, int64(e.SchemaVersion), 10)
	b = append(b, `,"occurred_at":`...)
	start := len(b)
	b = appendTime(b, e.OccurredAt)
	end := len(b)
	b = append(b, `,"recorded_at":`...)
	if e.RecordedAt.Equal(e.OccurredAt) {
		// Most events occur when they are recorded: the same text again.
		b = append(b, b[start:end]...)
	} else {
		b = appendTime(b, e.RecordedAt)
	}
	b = append(b, `,"actor_user":`...)
	b = appendString(b, e.Actor.UserID)
	b = append(b, `,"actor_role":`...)
	b = appendString(b, e.Actor.Role)
	b = append(b, `,"actor_org":`...)
	b = appendString(b, e.Actor.Org)
	b = append(b, `,"correlation_id":`...)
	b = appendString(b, e.CorrelationID)
	b = append(b, `,"causation_id":`...)
	b = appendString(b, e.CausationID)
	b = append(b, `,"idempotency_key":`...)
	b = appendString(b, e.IdempotencyKey)
	b = append(b, `,"reason":`...)
	b = appendString(b, e.Reason)
	b = append(b, `,"payload":`...)
	if len(e.Payload) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Payload...)
	}
	return append(b, '}')
}

// appendTime appends t as a JSON string of FormatTime's text (RFC 3339
// in UTC: digits, '-', ':', '.', 'T' and 'Z', which JSON does not
// escape), without the string FormatTime allocates: a replay checks the
// hash of every event.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// jsonPlain tells the bytes that encoding/json writes as they are:
// printable ASCII but '"', '\\', '<', '>' and '&'.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c <= 0x7e; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as encoding/json writes a string: plain printable
// ASCII as is, anything else through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// AppendPlainJSON appends s as a JSON string exactly as encoding/json
// writes it, when s is printable ASCII without '"' or '\\' ('<', '>' and
// '&' escaped as \u003c, \u003e and \u0026): the strings of a report and
// the subjects of a direct get. ok is false for any other s, and b is then
// to be discarded (the caller falls back to encoding/json).
func AppendPlainJSON(b []byte, s string) (_ []byte, ok bool) {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '<':
			b = append(b, `\u003c`...)
		case c == '>':
			b = append(b, `\u003e`...)
		case c == '&':
			b = append(b, `\u0026`...)
		case c < 0x20 || c > 0x7e || c == '"' || c == '\\':
			return b, false
		default:
			b = append(b, c)
		}
	}
	return append(b, '"'), true
}

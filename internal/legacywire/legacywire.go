// Package legacywire writes events in the NATS wire formats the event
// store used before wire format 3 (CloudEvents JSON bodies), for tests
// that prove such stored events still read and verify. The store itself
// only reads these formats (events/jetstream.DecodeMsg); nothing in the
// service writes them, so this package is imported by tests alone.
package legacywire

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/events"
)

// encodedPrefix opens a free-text value that would not survive a header
// verbatim: encodedPrefix + base64url(value).
const encodedPrefix = "b64:"

// packedTag opens the value of events.HeaderEvent: the wire format.
const packedTag = "2"

// packedSep separates the fields of events.HeaderEvent.
const packedSep = '|'

// EncodeValue returns the wire format 1 header form of a free-text value.
func EncodeValue(v string) string {
	if headerSafe(v) {
		return v
	}
	return encodedPrefix + base64.RawURLEncoding.EncodeToString([]byte(v))
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

// packValue returns the form of a free-text value inside HeaderEvent.
func packValue(v string) string {
	if headerSafe(v) && strings.IndexByte(v, packedSep) < 0 {
		return v
	}
	return encodedPrefix + base64.RawURLEncoding.EncodeToString([]byte(v))
}

// Header returns the header that carries e (all but its payload, which is
// the body) in wire format 2: the one header events.HeaderEvent.
func Header(e *events.Envelope) nats.Header {
	return nats.Header{events.HeaderEvent: []string{packEnvelope(e)}}
}

// packEnvelope returns the value of events.HeaderEvent for e.
func packEnvelope(e *events.Envelope) string {
	b := make([]byte, 0, 256+len(e.Reason))
	b = append(b, packedTag...)
	add := func(v string) {
		b = append(b, packedSep)
		b = append(b, v...)
	}
	add(e.ID)
	b = append(b, packedSep)
	b = strconv.AppendUint(b, e.Version, 10)
	add(packValue(e.Type))
	b = append(b, packedSep)
	if e.SchemaVersion != 1 {
		b = strconv.AppendInt(b, int64(e.SchemaVersion), 10)
	}
	recorded := events.FormatTime(e.RecordedAt)
	add(recorded)
	if occurred := events.FormatTime(e.OccurredAt); occurred != recorded {
		add(occurred)
	} else {
		add("")
	}
	for _, v := range [...]string{e.Actor.UserID, e.Actor.Role, e.Actor.Org, e.CorrelationID, e.CausationID, e.IdempotencyKey, e.Reason} {
		add(packValue(v))
	}
	add(e.PrevHash)
	add(e.Hash)
	return string(b)
}

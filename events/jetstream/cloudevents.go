package jetstream

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/internal/jsonspan"
	"github.com/nats-io/nats.go"
)

// Wire format 3 is a CloudEvents 1.0 event in the structured content mode
// of the CloudEvents NATS protocol binding (1.0.2): the message body is the
// event in the JSON event format, every attribute named, the payload under
// "data"; the only headers are NATS's own (Nats-Msg-Id and the
// concurrency headers of an append). See events/doc.go for the attributes.
//
// Structured rather than binary mode (one "ce-" header per attribute):
// the released NATS binding defines only the structured mode, and the Go
// client parses every header of every message into a map, which costs
// about 6 us for the twenty headers of an event against 0.6 us for one,
// seconds of a replay of a million events.

// ceSpecVersion is the CloudEvents specversion written.
const ceSpecVersion = "1.0"

// ceSourcePrefix opens the source attribute: "/grants/<org>".
const ceSourcePrefix = "/" + events.SubjectPrefix + "/"

// encodeMsg returns the headers and body of the message that stores e in
// wire format 3; the header map has room for extra NATS headers.
func encodeMsg(e *events.Envelope, extra int) (nats.Header, []byte) {
	return make(nats.Header, extra), appendCloudEvent(make([]byte, 0, 640+len(e.Payload)+len(e.Reason)), e)
}

// AppendCloudEvent appends to b the body of the message that stores e in
// wire format 3: the CloudEvents JSON form of e, as Store.Append publishes
// it (the store adds only its deduplication and concurrency headers), for
// tools that publish or compare messages exactly as the store writes them.
func AppendCloudEvent(b []byte, e *events.Envelope) []byte { return appendCloudEvent(b, e) }

// appendCloudEvent appends the CloudEvents JSON form of e.
func appendCloudEvent(b []byte, e *events.Envelope) []byte {
	b = append(b, `{"specversion":"1.0","id":`...)
	b = ceString(b, e.ID)
	b = append(b, `,"source":`...)
	b = ceString(b, ceSourcePrefix+e.Ref.Org)
	b = append(b, `,"type":`...)
	b = ceString(b, e.Type)
	b = append(b, `,"subject":`...)
	b = ceString(b, e.Ref.Kind+"/"+e.Ref.ID)
	recorded := events.FormatTime(e.RecordedAt)
	b = append(b, `,"time":`...)
	b = ceString(b, recorded)
	b = append(b, `,"datacontenttype":"application/json","schemaversion":`...)
	b = strconv.AppendInt(b, int64(e.SchemaVersion), 10)
	b = append(b, `,"aggregate":`...)
	b = ceString(b, e.Ref.Subject())
	b = append(b, `,"aggregateversion":`...)
	b = strconv.AppendUint(b, e.Version, 10)
	if occurred := events.FormatTime(e.OccurredAt); occurred != recorded {
		b = append(b, `,"effectivetime":`...)
		b = ceString(b, occurred)
	}
	opt := func(name, v string) {
		if v != "" {
			b = append(b, `,"`...)
			b = append(b, name...)
			b = append(b, `":`...)
			b = ceString(b, v)
		}
	}
	opt("actoruser", e.Actor.UserID)
	opt("actorrole", e.Actor.Role)
	opt("actororg", e.Actor.Org)
	opt("correlationid", e.CorrelationID)
	opt("causationid", e.CausationID)
	opt("idempotencykey", e.IdempotencyKey)
	opt("reason", e.Reason)
	opt("prevhash", e.PrevHash)
	opt("hash", e.Hash)
	opt("keyid", e.KeyID)
	opt("signature", e.Signature)
	b = append(b, `,"data":`...)
	if len(e.Payload) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, e.Payload...)
	}
	return append(b, '}')
}

// ceString appends s as a JSON string. A value that JSON would not carry
// byte for byte (invalid UTF-8), or that starts with the encoded prefix,
// is written as encodedPrefix + base64url(value), as in the headers of
// the older formats.
func ceString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain && !strings.HasPrefix(s, encodedPrefix) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	if !utf8.ValidString(s) || strings.HasPrefix(s, encodedPrefix) {
		s = encodedPrefix + base64.RawURLEncoding.EncodeToString([]byte(s))
	}
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// isCloudEvent tells whether data is a wire-format-3 body.
func isCloudEvent(data []byte) bool {
	return bytes.HasPrefix(data, []byte(`{"specversion":`))
}

// decodeCloudEvent fills e (whose Ref and Sequence are set) from a wire
// format 3 body. e.Payload and the attribute strings alias data, which
// the caller hands over: every message the NATS client delivers has a
// body of its own, never written again (a replay decodes a million of
// them; a copy of each body was a tenth of its allocations).
func decodeCloudEvent(data []byte, e *events.Envelope) error {
	r := ceReader{s: unsafe.String(unsafe.SliceData(data), len(data)), b: data}
	r.skipSpace()
	if !r.consume('{') {
		return errors.New("the body is not a JSON object")
	}
	var (
		spec, recorded, effective, source, subject, aggregate string
		haveData                                              bool
	)
	e.SchemaVersion = 1
	for first := true; ; first = false {
		r.skipSpace()
		if r.consume('}') {
			break
		}
		if !first && !r.consume(',') {
			return r.fail("',' or '}' expected")
		}
		r.skipSpace()
		key, err := r.str()
		if err != nil {
			return err
		}
		r.skipSpace()
		if !r.consume(':') {
			return r.fail("':' expected")
		}
		r.skipSpace()
		switch key {
		case "data":
			start := r.i
			if end := len(r.s) - 1; r.s[start] == '{' && end > start && r.s[end] == '}' && r.s[end-1] == '}' {
				// The writer puts an object's data last: the payload runs
				// to the body's closing brace (the hash check catches a
				// body written otherwise).
				r.i = end
			} else if err := r.skipValue(); err != nil {
				return fmt.Errorf("data: %w", err)
			}
			e.Payload = data[start:r.i:r.i]
			haveData = true
			continue
		case "schemaversion", "aggregateversion":
			n, err := r.uint()
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			if key == "schemaversion" {
				e.SchemaVersion = int(n)
			} else {
				e.Version = n
			}
			continue
		}
		v, err := r.str()
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if strings.HasPrefix(v, encodedPrefix) {
			if v, err = decodeValue(v); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
		switch key {
		case "specversion":
			spec = v
		case "id":
			e.ID = v
		case "source":
			source = v
		case "type":
			e.Type = v
		case "subject":
			subject = v
		case "time":
			recorded = v
		case "effectivetime":
			effective = v
		case "aggregate":
			aggregate = v
		case "actoruser":
			e.Actor.UserID = v
		case "actorrole":
			e.Actor.Role = v
		case "actororg":
			e.Actor.Org = v
		case "correlationid":
			e.CorrelationID = v
		case "causationid":
			e.CausationID = v
		case "idempotencykey":
			e.IdempotencyKey = v
		case "reason":
			e.Reason = v
		case "prevhash":
			e.PrevHash = v
		case "hash":
			e.Hash = v
		case "keyid":
			e.KeyID = v
		case "signature":
			e.Signature = v
		}
	}
	switch {
	case spec != ceSpecVersion:
		return fmt.Errorf("specversion %q, want %s", spec, ceSpecVersion)
	case e.ID == "" || e.Type == "" || recorded == "" || e.Hash == "" || e.Version == 0 || !haveData:
		return errors.New("an attribute is missing (id, type, time, aggregateversion, hash and data are required)")
	case aggregate != "" && !isSubjectOf(aggregate, e.Ref), source != "" && (len(source) != len(ceSourcePrefix)+len(e.Ref.Org) || source[len(ceSourcePrefix):] != e.Ref.Org),
		subject != "" && (len(subject) != len(e.Ref.Kind)+1+len(e.Ref.ID) || subject[:len(e.Ref.Kind)] != e.Ref.Kind || subject[len(e.Ref.Kind)+1:] != e.Ref.ID):
		return errors.New("the source, subject or aggregate attribute does not match the message subject")
	}
	t, err := time.Parse(time.RFC3339Nano, recorded)
	if err != nil {
		return fmt.Errorf("time: %w", err)
	}
	e.RecordedAt, e.OccurredAt = t.UTC(), t.UTC()
	if effective != "" {
		if t, err = time.Parse(time.RFC3339Nano, effective); err != nil {
			return fmt.Errorf("effectivetime: %w", err)
		}
		e.OccurredAt = t.UTC()
	}
	return nil
}

// isSubjectOf tells whether s is ref's subject, without building it.
func isSubjectOf(s string, ref events.Ref) bool {
	for _, part := range [...]string{events.SubjectPrefix, ref.Org, ref.Kind, ref.ID} {
		if len(s) < len(part) || s[:len(part)] != part {
			return false
		}
		s = s[len(part):]
		if s == "" {
			return part == ref.ID
		}
		if s[0] != '.' {
			return false
		}
		s = s[1:]
	}
	return false
}

// ceReader scans a JSON object held in a string without building a tree;
// the strings it returns share the object's memory.
type ceReader struct {
	s string
	b []byte // the bytes of s
	i int
}

func (r *ceReader) fail(what string) error { return fmt.Errorf("%s at byte %d", what, r.i) }

func (r *ceReader) skipSpace() {
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case ' ', '\t', '\r', '\n':
			r.i++
		default:
			return
		}
	}
}

func (r *ceReader) consume(c byte) bool {
	if r.i < len(r.s) && r.s[r.i] == c {
		r.i++
		return true
	}
	return false
}

// str reads a JSON string. Most strings of an event are short (its keys,
// IDs, types): one pass over the bytes (jsonspan.Plain) finds the end and
// checks the bytes, where strings.IndexByte's vector set-up for each of
// the forty-odd strings of a body and a second scan for escapes and
// control characters cost more than half of a body's decoding.
func (r *ceReader) str() (string, error) {
	if !r.consume('"') {
		return "", r.fail("string expected")
	}
	start := r.i
	j := start + jsonspan.Plain(r.b[start:])
	if j < len(r.s) && r.s[j] == '"' {
		r.i = j + 1
		return r.s[start:j], nil
	}
	if j == len(r.s) {
		return "", r.fail("unterminated string")
	}
	if r.s[j] != '\\' {
		r.i = j
		return "", r.fail("control character in a string")
	}
	// Escapes: find the real end, then let encoding/json unescape.
	r.i = start - 1
	if err := r.skipString(); err != nil {
		return "", err
	}
	var out string
	if err := json.Unmarshal([]byte(r.s[start-1:r.i]), &out); err != nil {
		return "", err
	}
	return out, nil
}

// uint reads a non-negative JSON integer.
func (r *ceReader) uint() (uint64, error) {
	start := r.i
	for r.i < len(r.s) && r.s[r.i] >= '0' && r.s[r.i] <= '9' {
		r.i++
	}
	return strconv.ParseUint(r.s[start:r.i], 10, 64)
}

// skipValue moves past one JSON value.
func (r *ceReader) skipValue() error {
	if r.i >= len(r.s) {
		return r.fail("value expected")
	}
	switch c := r.s[r.i]; c {
	case '"':
		return r.skipString()
	case '{', '[':
		depth := 0
		for r.i < len(r.s) {
			switch r.s[r.i] {
			case '"':
				if err := r.skipString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					r.i++
					return nil
				}
			}
			r.i++
		}
		return r.fail("unterminated value")
	default:
		start := r.i
		for r.i < len(r.s) && !strings.ContainsRune(",}] \t\r\n", rune(r.s[r.i])) {
			r.i++
		}
		if r.i == start {
			return r.fail("value expected")
		}
		return nil
	}
}

// skipString moves past a JSON string (r.i at its opening quote) without
// decoding it.
func (r *ceReader) skipString() error {
	r.i++
	for r.i < len(r.s) {
		switch r.s[r.i] {
		case '"':
			r.i++
			return nil
		case '\\':
			r.i += 2
		default:
			r.i++
		}
	}
	return r.fail("unterminated string")
}

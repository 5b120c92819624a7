package api

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// encodeCommandResponse renders body exactly as json.Marshal does, without
// its reflection and without compacting and checking again the events'
// payloads, which are the compact JSON the ledger itself encoded (a
// command's answer was a few per cent of its CPU). A string that is not
// plain printable ASCII without quotes, backslashes or HTML's special
// characters, or a time outside years 0-9999, is left to json.Marshal, as
// is the whole answer when a payload is not compact JSON.
//
// With marshalled, the payloads are json.Marshal's own output (the events
// a command has just built, events.Build): compact, valid and escaped as
// json.Marshal escapes, so they are copied without being checked again
// (checking them was 2-3 % of a relaxed report's server CPU). Payloads
// read back from the stream (a replayed answer) are checked.
//
// The answer is appended to dst (answerOf passes a recycled buffer).
func encodeCommandResponse(dst []byte, body *CommandResponse, marshalled bool) ([]byte, error) {
	n := 128
	for i := range body.Events {
		n += 320 + len(body.Events[i].Payload)
	}
	b := slices.Grow(dst, n)
	b = append(b, `{"ref":{"org":`...)
	b = appendJSONString(b, body.Ref.Org)
	b = append(b, `,"kind":`...)
	b = appendJSONString(b, body.Ref.Kind)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, body.Ref.ID)
	b = append(b, `},"version":`...)
	b = strconv.AppendUint(b, body.Version, 10)
	b = append(b, `,"sequence":`...)
	b = strconv.AppendUint(b, body.Sequence, 10)
	b = append(b, `,"replayed":`...)
	b = strconv.AppendBool(b, body.Replayed)
	b = append(b, `,"events":`...)
	if body.Events == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range body.Events {
			e := &body.Events[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendJSONString(b, e.ID)
			b = append(b, `,"type":`...)
			b = appendJSONString(b, e.Type)
			b = append(b, `,"version":`...)
			b = strconv.AppendUint(b, e.Version, 10)
			b = append(b, `,"sequence":`...)
			b = strconv.AppendUint(b, e.Sequence, 10)
			b = append(b, `,"occurred_at":`...)
			b = appendJSONTime(b, e.OccurredAt)
			b = append(b, `,"recorded_at":`...)
			b = appendJSONTime(b, e.RecordedAt)
			b = append(b, `,"hash":`...)
			b = appendJSONString(b, e.Hash)
			b = append(b, `,"payload":`...)
			if !marshalled && !plainCompactJSON(e.Payload) {
				return json.Marshal(body)
			}
			b = append(b, e.Payload...)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if body.DryRun {
		b = append(b, `,"dry_run":true`...)
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as json.Marshal encodes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendJSONTime appends t as json.Marshal encodes it.
func appendJSONTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		q, _ := json.Marshal(t) // json.Marshal's own answer (an error)
		return append(b, q...)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// plainCompactJSON tells whether p is valid JSON that json.Marshal would
// copy as it is: no white space outside strings, nothing HTML-escaped
// (<, >, &) and no U+2028 or U+2029, which it escapes.
func plainCompactJSON(p json.RawMessage) bool {
	if len(p) == 0 || !json.Valid(p) {
		return false
	}
	in := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case c == '<' || c == '>' || c == '&':
			return false
		case c == 0xe2 && i+2 < len(p) && p[i+1] == 0x80 && (p[i+2] == 0xa8 || p[i+2] == 0xa9):
			return false
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return false
		}
	}
	return true
}

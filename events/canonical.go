package events

import (
	"encoding/json"
	"strconv"
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
	b = appendString(b, FormatTime(e.OccurredAt))
	b = append(b, `,"recorded_at":`...)
	b = appendString(b, FormatTime(e.RecordedAt))
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

// appendString appends s as encoding/json writes a string: plain printable
// ASCII as is, anything else through encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

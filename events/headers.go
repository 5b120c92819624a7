package events

// HeaderEvent is the one header that carries the envelope (all but the
// payload and the aggregate) on a NATS message since wire format 2: its
// fields in a fixed order, separated by "|" (see events/doc.go). One
// header instead of up to fifteen: every reader of the stream parses the
// headers of every message into a map, and one entry is much cheaper
// than fifteen.
const HeaderEvent = "Grants-Event"

// Header names of wire format 1, under which events written before wire
// format 2 carry their envelope, one field per header; readers still
// decode them. The aggregate (org, kind, ID) is not a header: it is the
// subject, grants.<org>.<kind>.<id>. Optional headers are left out when
// empty; Grants-Schema-Version is left out for version 1 and
// Grants-Occurred-At when it equals Grants-Recorded-At.
const (
	HeaderEventID        = "Grants-Event-Id"
	HeaderVersion        = "Grants-Version"
	HeaderType           = "Grants-Type"
	HeaderSchema         = "Grants-Schema-Version"
	HeaderOccurredAt     = "Grants-Occurred-At"
	HeaderRecordedAt     = "Grants-Recorded-At"
	HeaderActorUser      = "Grants-Actor-User"
	HeaderActorRole      = "Grants-Actor-Role"
	HeaderActorOrg       = "Grants-Actor-Org"
	HeaderCorrelationID  = "Grants-Correlation-Id"
	HeaderCausationID    = "Grants-Causation-Id"
	HeaderIdempotencyKey = "Grants-Idempotency-Key"
	HeaderReason         = "Grants-Reason"
	HeaderPrevHash       = "Grants-Prev-Hash"
	HeaderHash           = "Grants-Hash"
)

package events

// Header names under which the envelope travels on a NATS message. The
// aggregate (org, kind, ID) is not a header: it is the subject,
// grants.<org>.<kind>.<id>. Optional headers are left out when empty;
// Grants-Schema-Version is left out for version 1 and Grants-Occurred-At
// when it equals Grants-Recorded-At (everything but recorded past events).
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

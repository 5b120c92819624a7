package events

// Header names under which the envelope travels on a NATS message.
const (
	HeaderEventID        = "Grants-Event-Id"
	HeaderOrg            = "Grants-Org"
	HeaderKind           = "Grants-Aggregate-Kind"
	HeaderAggregateID    = "Grants-Aggregate-Id"
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

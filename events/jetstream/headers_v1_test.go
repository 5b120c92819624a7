package jetstream

import (
	"strconv"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/internal/legacywire"
	"github.com/nats-io/nats.go"
)

// envelopeHeaderV1 returns the headers of wire format 1 that carry e (all
// but its payload), as the store wrote them before wire format 2: readers
// must still decode them.
// The header map has room for extra NATS control headers the caller adds.
// All values share one backing array: one allocation instead of one per
// header.
func envelopeHeaderV1(e *events.Envelope, extra int) nats.Header {
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
	set(events.HeaderType, legacywire.EncodeValue(e.Type))
	if e.SchemaVersion != 1 {
		set(events.HeaderSchema, strconv.Itoa(e.SchemaVersion))
	}
	recorded := events.FormatTime(e.RecordedAt)
	set(events.HeaderRecordedAt, recorded)
	if occurred := events.FormatTime(e.OccurredAt); occurred != recorded {
		set(events.HeaderOccurredAt, occurred)
	}
	set(events.HeaderActorUser, legacywire.EncodeValue(e.Actor.UserID))
	set(events.HeaderActorRole, legacywire.EncodeValue(e.Actor.Role))
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
			set(kv[0], legacywire.EncodeValue(kv[1]))
		}
	}
	return h
}

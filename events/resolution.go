package events

import (
	"bytes"
	"encoding/json"
)

// DamageResolvedType is the event type with which the national office
// deals with a damaged aggregate: an event of the aggregate that failed
// its checks (a forgery, a changed record, a chain break after a lost
// record) or a lost stream sequence. Its payload names the sequence; once
// recorded, verification reports that problem as resolved and the
// aggregate accepts writes again, its chain continuing from its last
// valid event. The domain registers the payload type under this name.
const DamageResolvedType = "ledger.damage_resolved"

// DamageResolved is the payload of a DamageResolvedType event.
type DamageResolved struct {
	// Sequence is the stream sequence dealt with.
	Sequence uint64 `json:"sequence"`
	// Resolution says what was done: "dismissed" (the event is not part
	// of the ledger; anything it meant to record is recorded anew) or
	// "lost" (a lost record; its content is recorded anew if known).
	Resolution string `json:"resolution"`
	// Note is the office's explanation (the command's reason is kept too).
	Note string `json:"note,omitempty"`
}

// ResolvedSequence reads the sequence of a DamageResolvedType payload.
func ResolvedSequence(payload []byte) (uint64, bool) {
	var d DamageResolved
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&d); err != nil || d.Sequence == 0 {
		return 0, false
	}
	return d.Sequence, true
}

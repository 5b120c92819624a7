package aggregates

import "github.com/erasmus-ledger/grants/events"

// EraseParticipant erases a participant's personal data (PD-ERASE): the
// national office's decision, with a reason, or the retention job's
// (PD-RETENTION).
type EraseParticipant struct {
	// OID is the organisation whose participant it is.
	OID string `json:"oid"`
	// ParticipantID is the pseudonymous participant ID.
	ParticipantID string `json:"participant_id"`
	// Reason says why (required).
	Reason string `json:"reason"`
	// Retention is set by the retention job (never by a request).
	Retention bool `json:"-"`
}

// CommandType implements Command.
func (EraseParticipant) CommandType() string { return "EraseParticipant" }

// Target implements Command: the organisation, whose participants the
// subject keys belong to.
func (c EraseParticipant) Target() events.Ref { return orgRef(c.OID) }

// OrgWide implements Command: the decision reads the mobilities of every
// project of the organisation (is the participant known, erased already?).
func (EraseParticipant) OrgWide() bool { return true }

// Validate checks the fields.
func (c EraseParticipant) Validate() error {
	var k check
	k.oid("oid", c.OID)
	k.id("participant_id", c.ParticipantID)
	k.text("reason", c.Reason, true)
	return k.result()
}

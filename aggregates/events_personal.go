package aggregates

// ParticipantErased records that a participant's personal data was erased
// (PD-ERASE, PD-RETENTION): the participant's key is destroyed, so every
// sealed block of the participant is unreadable for good. It carries no
// personal data: only the organisation, the pseudonymous participant ID,
// the day and why.
type ParticipantErased struct {
	OID           string `json:"oid"`
	ParticipantID string `json:"participant_id"`
	ErasedOn      Date   `json:"erased_on"`
	// Retention is set when the retention job erased the data
	// (PD-RETENTION) rather than a decision of the national office.
	Retention bool   `json:"retention,omitempty"`
	Reason    string `json:"reason"`
}

// EventType implements Event.
func (ParticipantErased) EventType() string { return "ParticipantErased" }

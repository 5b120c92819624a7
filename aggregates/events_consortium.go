package aggregates

// ConsortiumMemberAdded records a member joining a consortium.
type ConsortiumMemberAdded struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	Field           string `json:"field"`
	MemberOID       string `json:"member_oid"`
	AddedOn         Date   `json:"added_on"`
}

// EventType implements Event.
func (ConsortiumMemberAdded) EventType() string { return "ConsortiumMemberAdded" }

// ConsortiumMemberRemoved records a member leaving a consortium.
type ConsortiumMemberRemoved struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	Field           string `json:"field"`
	MemberOID       string `json:"member_oid"`
	RemovedOn       Date   `json:"removed_on"`
	Reason          string `json:"reason,omitempty"`
}

// EventType implements Event.
func (ConsortiumMemberRemoved) EventType() string { return "ConsortiumMemberRemoved" }

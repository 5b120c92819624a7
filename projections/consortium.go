package projections

// ConsortiumMemberView is one membership of an organisation in a
// coordinator's consortium accreditation (CONS-MEMBER).
type ConsortiumMemberView struct {
	Coordinator     string `json:"coordinator"`
	AccreditationID string `json:"accreditation_id"`
	Field           string `json:"field"`
	MemberOID       string `json:"member_oid"`
	AddedOn         string `json:"added_on"`
	// RemovedOn is empty while the organisation is a member.
	RemovedOn string `json:"removed_on,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

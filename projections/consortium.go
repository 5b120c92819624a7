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

// DeadlineStatus is what a project's deadlines say now (LIFE-REPORT-DUE,
// LIFE-ASSESS-DUE).
type DeadlineStatus struct {
	// Overdue: the final report or its assessment is overdue now.
	Overdue bool `json:"overdue"`
	// Flags are the reminders and overdue flags recorded, in order.
	Flags []DeadlineFlagView `json:"flags"`
}

// DeadlineFlagView is one deadline flag a project recorded.
type DeadlineFlagView struct {
	Flag     string `json:"flag"`
	Rule     string `json:"rule"`
	DueOn    string `json:"due_on"`
	RaisedOn string `json:"raised_on"`
}

package aggregates

// DeadlineFlagRaised records a deadline reminder or overdue flag of a
// project (LIFE-REPORT-DUE, LIFE-ASSESS-DUE). A project records each flag once.
type DeadlineFlagRaised struct {
	ProjectID string `json:"project_id"`
	OID       string `json:"oid"`
	// Flag is one of DeadlineFlags.
	Flag string `json:"flag"`
	// Rule is the rule whose deadline it is.
	Rule     string `json:"rule"`
	DueOn    Date   `json:"due_on"`
	RaisedOn Date   `json:"raised_on"`
}

// EventType implements Event.
func (DeadlineFlagRaised) EventType() string { return "DeadlineFlagRaised" }

// RaisedFlag is a deadline flag a project recorded.
type RaisedFlag struct {
	Flag     string `json:"flag"`
	DueOn    Date   `json:"due_on"`
	RaisedOn Date   `json:"raised_on"`
}

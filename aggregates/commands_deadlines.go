package aggregates

import "github.com/erasmus-ledger/grants/events"

// RaiseDeadlineFlags asks the domain to record the deadline flags due on a
// project today (reminders and overdue flags). The deadline scheduler
// issues it as the national office; when nothing is due it records nothing.
type RaiseDeadlineFlags struct {
	ProjectID string `json:"project_id"`
}

// CommandType implements Command.
func (RaiseDeadlineFlags) CommandType() string { return "RaiseDeadlineFlags" }

// Target implements Command.
func (c RaiseDeadlineFlags) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (RaiseDeadlineFlags) OrgWide() bool { return false }

// Validate checks the fields.
func (c RaiseDeadlineFlags) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	return k.result()
}

package aggregates

import (
	"time"

	"github.com/erasmus-ledger/grants/events"
)

// Roles of the people who act on the ledger.
const (
	// RoleBeneficiary acts for one organisation (Actor.Org): reporting only.
	RoleBeneficiary = "beneficiary"
	// RoleNationalOffice decides, pays and audits everything.
	RoleNationalOffice = "national-office"
	// RoleAnalyst reads statistics and replays; never issues commands.
	RoleAnalyst = "analyst"
)

// Aggregate kinds (the <kind> token of the subject).
const (
	KindOrganisation = "organisation"
	KindProject      = "project"
)

// Event is a domain event payload. Every implementation is registered in
// Registry under the name EventType returns.
type Event interface {
	EventType() string
}

// Command asks to change one aggregate.
type Command interface {
	// CommandType names the command, e.g. "ReportMobility" (metrics, logs).
	CommandType() string
	// Target is the aggregate the command changes. For commands on an
	// existing project Org may be empty: the handler locates it.
	Target() events.Ref
	// OrgWide reports whether the command's rules span several aggregates
	// of the organisation, so it must be decided on the whole Portfolio and
	// appended with the organisation-wide boundary.
	OrgWide() bool
}

// Context is what a decision knows besides state and command.
type Context struct {
	// Now is the command's effective time: the clock's now, or the date a
	// recorded past event really happened. Every date rule is judged at Now.
	Now time.Time
	// Actor is who issues the command.
	Actor events.Actor
}

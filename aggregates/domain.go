package aggregates

import (
	"time"

	"github.com/erasmus-ledger/grants/aggregates/rates"
)

// Policy holds the parameters of rules the national office may set.
type Policy struct {
	// KA122WindowYears is the window of KA122-MAX-PROJECTS: 0 counts the
	// projects of the programme period (seed), n counts those within any n
	// consecutive call years (PG: 5).
	KA122WindowYears int
	// KA122MaxProjects is the most KA122 projects granted in the window
	// (0 means the rulebook's 3).
	KA122MaxProjects int
	// Deadlines overrides the call deadline table (nil: DefaultDeadlines).
	Deadlines []Deadline
	// TimeZone is the national office's zone, in which the effective time
	// of a command becomes a calendar day (nil: Europe/Helsinki). Call
	// deadlines are instants (12:00 Brussels) and do not depend on it.
	TimeZone *time.Location
}

// officeZone is the default zone of the national office (Finland).
var officeZone = mustLocation("Europe/Helsinki")

func (d *Domain) zone() *time.Location {
	if d.Policy.TimeZone != nil {
		return d.Policy.TimeZone
	}
	return officeZone
}

// Domain decides commands. Rates is the rates book used to compute
// mobility grants and lump sums; Policy holds the rule parameters.
type Domain struct {
	Rates  *rates.Book
	Policy Policy
}

// NewDomain returns a Domain with the given rates book and policy.
func NewDomain(book *rates.Book, policy Policy) *Domain {
	return &Domain{Rates: book, Policy: policy}
}

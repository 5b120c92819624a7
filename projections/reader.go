package projections

import (
	"context"
)

// DefaultLimit is the page size when a filter gives none; MaxLimit is the
// largest page size honoured.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Page is the paging part of a list query. Cursor is the opaque string a
// previous page returned as NextCursor (empty for the first page).
type Page struct {
	Cursor string
	Limit  int
}

// EffectiveLimit is p.Limit bounded to 1..MaxLimit, DefaultLimit when unset.
func (p Page) EffectiveLimit() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// ProjectFilter selects projects; zero values select everything.
type ProjectFilter struct {
	Org      string
	CallYear int
	Action   string
	Field    string
	Status   string
	// Overdue selects the projects whose final report or its assessment
	// is overdue now (LIFE-REPORT-DUE, LIFE-ASSESS-DUE).
	Overdue bool
	Page
}

// ProjectPage is one page of projects.
type ProjectPage struct {
	Items      []ProjectView `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// OrganisationFilter selects organisations; zero values select everything.
type OrganisationFilter struct {
	Country string
	Page
}

// OrganisationPage is one page of organisations.
type OrganisationPage struct {
	Items      []OrganisationView `json:"items"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// MobilityFilter selects mobilities; zero values select everything.
type MobilityFilter struct {
	Org              string
	ProjectID        string
	ParticipantID    string
	Activity         string
	Status           string
	ReceivingCountry string
	// IncludeCancelled also returns cancelled mobilities.
	IncludeCancelled bool
	Page
}

// MobilityPage is one page of mobilities, in (project, ID) order.
type MobilityPage struct {
	Items      []MobilityView `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// AuditFilter selects audit entries: of one organisation, one aggregate, or
// everything. Entries come in stream order.
type AuditFilter struct {
	// Org keeps the events of the organisation's aggregates.
	Org string
	// AggregateKind and AggregateID keep the events of one aggregate
	// (e.g. kind "project" and the project ID).
	AggregateKind string
	AggregateID   string
	// Type keeps one event type.
	Type string
	// Descending returns the newest first.
	Descending bool
	Page
}

// AuditPage is one page of the audit log.
type AuditPage struct {
	Items      []AuditEntry `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

// Reader answers the queries of the HTTP API from the read models. Methods
// return *apperr.Error: NotFound for a missing resource, Invalid for a bad
// cursor or filter, Unavailable when the read models cannot answer.
type Reader interface {
	// Organisation returns one organisation with its accreditations.
	Organisation(ctx context.Context, oid string) (OrganisationView, error)
	// Organisations lists organisations in OID order.
	Organisations(ctx context.Context, f OrganisationFilter) (OrganisationPage, error)
	// Project returns one project.
	Project(ctx context.Context, id string) (ProjectView, error)
	// ProjectsOf returns every project of an organisation, newest call first.
	ProjectsOf(ctx context.Context, org string) ([]ProjectView, error)
	// Projects lists projects in ID order.
	Projects(ctx context.Context, f ProjectFilter) (ProjectPage, error)
	// Mobility returns one mobility of a project with its grant breakdown.
	Mobility(ctx context.Context, projectID, mobilityID string) (MobilityView, error)
	// Mobilities lists mobilities in (project, ID) order.
	Mobilities(ctx context.Context, f MobilityFilter) (MobilityPage, error)
	// Participant returns the personal data of participant id of
	// organisation org. Callers must check that the reader may see
	// personal data (never analysts).
	Participant(ctx context.Context, org, id string) (ParticipantView, error)
	// Payments returns the payments and recoveries of a project in order.
	Payments(ctx context.Context, projectID string) ([]PaymentView, error)
	// Reports returns the reports of a project in order.
	Reports(ctx context.Context, projectID string) ([]ReportView, error)
	// Audit returns a page of the audit log.
	Audit(ctx context.Context, f AuditFilter) (AuditPage, error)
	// MobilityStats returns mobility and participant statistics.
	MobilityStats(ctx context.Context, f MobilityStatsFilter) ([]MobilityStatsRow, error)
	// AccreditationStats returns accreditation applications by year and
	// field with their outcome.
	AccreditationStats(ctx context.Context, f AccreditationStatsFilter) ([]AccreditationStatsRow, error)
	// ProjectStats returns project counts and grants.
	ProjectStats(ctx context.Context, f ProjectStatsFilter) ([]ProjectStatsRow, error)
	// Checkpoint is the stream sequence the read models include.
	Checkpoint() uint64
	// WaitFor waits, up to ctx's deadline, until the read models include
	// stream sequence seq. It returns at once when they already do, and an
	// *apperr.Error with code Unavailable when the wait times out.
	WaitFor(ctx context.Context, seq uint64) error
}

package api

import (
	"context"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
)

// fakeCommands is a CommandHandler whose answers a test sets.
type fakeCommands struct {
	mu     sync.Mutex
	reqs   []command.Request
	orgs   map[string]string // project ID -> org
	hist   map[string][]events.Envelope
	result func(command.Request) (command.Result, error)
}

func (f *fakeCommands) Handle(_ context.Context, req command.Request) (command.Result, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	if v, ok := req.Command.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return command.Result{}, err
		}
	}
	if f.result != nil {
		return f.result(req)
	}
	ref := req.Command.Target()
	return command.Result{Ref: ref, Version: 1, Sequence: 1}, nil
}

func (f *fakeCommands) requests() []command.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]command.Request(nil), f.reqs...)
}

func (f *fakeCommands) ProjectAsOf(context.Context, string, time.Time) (aggregates.Project, events.Head, error) {
	return aggregates.Project{}, events.Head{}, apperr.New(apperr.NotFound, "project not found")
}

func (f *fakeCommands) ProjectAt(context.Context, string, events.AsOf) (aggregates.Project, events.Head, error) {
	return aggregates.Project{}, events.Head{}, apperr.New(apperr.NotFound, "project not found")
}

func (f *fakeCommands) OrganisationAt(context.Context, string, events.AsOf) (aggregates.Portfolio, events.Head, error) {
	return aggregates.Portfolio{}, events.Head{}, apperr.New(apperr.NotFound, "organisation not found")
}

func (f *fakeCommands) History(_ context.Context, ref events.Ref) ([]events.Envelope, error) {
	if h, ok := f.hist[ref.ID]; ok {
		return h, nil
	}
	return nil, apperr.New(apperr.NotFound, "not found")
}

func (f *fakeCommands) Locate(_ context.Context, kind, id string) (string, error) {
	if org, ok := f.orgs[id]; ok {
		return org, nil
	}
	return "", apperr.New(apperr.NotFound, "%s %s not found", kind, id)
}

// emptyReader is a projections.Reader with nothing in it.
type emptyReader struct{ checkpoint uint64 }

var errNone = apperr.New(apperr.NotFound, "not found")

func (emptyReader) Organisation(context.Context, string) (projections.OrganisationView, error) {
	return projections.OrganisationView{}, errNone
}
func (emptyReader) Organisations(context.Context, projections.OrganisationFilter) (projections.OrganisationPage, error) {
	return projections.OrganisationPage{}, nil
}
func (emptyReader) Project(context.Context, string) (projections.ProjectView, error) {
	return projections.ProjectView{}, errNone
}
func (emptyReader) ProjectsOf(context.Context, string) ([]projections.ProjectView, error) {
	return nil, nil
}
func (emptyReader) Projects(context.Context, projections.ProjectFilter) (projections.ProjectPage, error) {
	return projections.ProjectPage{}, nil
}
func (emptyReader) Mobility(context.Context, string, string) (projections.MobilityView, error) {
	return projections.MobilityView{}, errNone
}
func (emptyReader) Mobilities(context.Context, projections.MobilityFilter) (projections.MobilityPage, error) {
	return projections.MobilityPage{}, nil
}
func (emptyReader) Participant(context.Context, string, string) (projections.ParticipantView, error) {
	return projections.ParticipantView{}, errNone
}
func (emptyReader) Payments(context.Context, string) ([]projections.PaymentView, error) {
	return nil, nil
}
func (emptyReader) Reports(context.Context, string) ([]projections.ReportView, error) {
	return nil, nil
}
func (emptyReader) Audit(context.Context, projections.AuditFilter) (projections.AuditPage, error) {
	return projections.AuditPage{}, nil
}
func (emptyReader) MobilityStats(context.Context, projections.MobilityStatsFilter) ([]projections.MobilityStatsRow, error) {
	return nil, nil
}
func (emptyReader) AccreditationStats(context.Context, projections.AccreditationStatsFilter) ([]projections.AccreditationStatsRow, error) {
	return nil, nil
}
func (emptyReader) ProjectStats(context.Context, projections.ProjectStatsFilter) ([]projections.ProjectStatsRow, error) {
	return nil, nil
}
func (r emptyReader) Checkpoint() uint64 { return r.checkpoint }
func (r emptyReader) WaitFor(ctx context.Context, seq uint64) error {
	if seq <= r.checkpoint {
		return nil
	}
	<-ctx.Done()
	return apperr.Wrap(apperr.Unavailable, ctx.Err(), "the read models did not reach sequence %d", seq)
}

package sqlite

import (
	"context"

	"github.com/erasmus-ledger/grants/projections"
)

// The Reader methods of Manager answer from the current generation, holding
// a reference so that a swap never closes a file under a running query.

// Organisation implements projections.Reader.
func (m *Manager) Organisation(ctx context.Context, oid string) (projections.OrganisationView, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.OrganisationView{}, err
	}
	defer g.release()
	return g.db.Organisation(ctx, oid)
}

// Organisations implements projections.Reader.
func (m *Manager) Organisations(ctx context.Context, f projections.OrganisationFilter) (projections.OrganisationPage, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.OrganisationPage{}, err
	}
	defer g.release()
	return g.db.Organisations(ctx, f)
}

// Project implements projections.Reader.
func (m *Manager) Project(ctx context.Context, id string) (projections.ProjectView, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.ProjectView{}, err
	}
	defer g.release()
	return g.db.Project(ctx, id)
}

// ProjectsOf implements projections.Reader.
func (m *Manager) ProjectsOf(ctx context.Context, org string) ([]projections.ProjectView, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.ProjectsOf(ctx, org)
}

// Projects implements projections.Reader.
func (m *Manager) Projects(ctx context.Context, f projections.ProjectFilter) (projections.ProjectPage, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.ProjectPage{}, err
	}
	defer g.release()
	return g.db.Projects(ctx, f)
}

// Mobility implements projections.Reader.
func (m *Manager) Mobility(ctx context.Context, projectID, mobilityID string) (projections.MobilityView, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.MobilityView{}, err
	}
	defer g.release()
	return g.db.Mobility(ctx, projectID, mobilityID)
}

// Mobilities implements projections.Reader.
func (m *Manager) Mobilities(ctx context.Context, f projections.MobilityFilter) (projections.MobilityPage, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.MobilityPage{}, err
	}
	defer g.release()
	return g.db.Mobilities(ctx, f)
}

// Participant implements projections.Reader.
func (m *Manager) Participant(ctx context.Context, org, id string) (projections.ParticipantView, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.ParticipantView{}, err
	}
	defer g.release()
	return g.db.participant(ctx, m.cfg.Vault, m.cfg.Source, org, id)
}

// Payments implements projections.Reader.
func (m *Manager) Payments(ctx context.Context, projectID string) ([]projections.PaymentView, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.Payments(ctx, projectID)
}

// Reports implements projections.Reader.
func (m *Manager) Reports(ctx context.Context, projectID string) ([]projections.ReportView, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.Reports(ctx, projectID)
}

// Audit implements projections.Reader.
func (m *Manager) Audit(ctx context.Context, f projections.AuditFilter) (projections.AuditPage, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.AuditPage{}, err
	}
	defer g.release()
	return g.db.Audit(ctx, f)
}

// MobilityStats implements projections.Reader.
func (m *Manager) MobilityStats(ctx context.Context, f projections.MobilityStatsFilter) ([]projections.MobilityStatsRow, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.MobilityStats(ctx, f)
}

// AccreditationStats implements projections.Reader.
func (m *Manager) AccreditationStats(ctx context.Context, f projections.AccreditationStatsFilter) ([]projections.AccreditationStatsRow, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.AccreditationStats(ctx, f)
}

// ProjectStats implements projections.Reader.
func (m *Manager) ProjectStats(ctx context.Context, f projections.ProjectStatsFilter) ([]projections.ProjectStatsRow, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.ProjectStats(ctx, f)
}

// Checksum hashes the current generation's tables.
func (m *Manager) Checksum(ctx context.Context) (Sum, error) {
	g, err := m.acquire()
	if err != nil {
		return Sum{}, err
	}
	defer g.release()
	return g.db.Checksum(ctx)
}

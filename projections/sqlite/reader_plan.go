package sqlite

import (
	"context"

	"github.com/erasmus-ledger/grants/projections"
)

// PaymentPlan implements projections.PlanReader.
func (db *DB) PaymentPlan(ctx context.Context, projectID string) (projections.PaymentPlanView, bool, error) {
	p := projections.PaymentPlanView{Instalments: []projections.InstalmentView{}}
	rows, err := db.query(ctx, "SELECT project_id, org, planned_cents, balance_due_days, set_on, sequence FROM payment_plans WHERE project_id = ?", projectID)
	if err != nil {
		return p, false, queryErr(err, "the payment plan")
	}
	found := rows.Next()
	if found {
		err = rows.Scan(&p.ProjectID, &p.Org, &p.PlannedCents, &p.BalanceDueDays, &p.SetOn, &p.Sequence)
	}
	if err == nil {
		err = rows.Err()
	}
	rows.Close()
	if err != nil || !found {
		return p, false, queryErr(err, "the payment plan")
	}
	rows, err = db.query(ctx, "SELECT id, kind, amount_cents, due_date FROM payment_instalments WHERE project_id = ? ORDER BY due_date, id", projectID)
	if err != nil {
		return p, false, queryErr(err, "the payment plan")
	}
	defer rows.Close()
	for rows.Next() {
		var in projections.InstalmentView
		if err := rows.Scan(&in.ID, &in.Kind, &in.AmountCents, &in.DueDate); err != nil {
			return p, false, queryErr(err, "the payment plan")
		}
		p.Instalments = append(p.Instalments, in)
	}
	return p, true, queryErr(rows.Err(), "the payment plan")
}

// SupportRequests implements projections.PlanReader.
func (db *DB) SupportRequests(ctx context.Context, projectID string) ([]projections.SupportRequestView, error) {
	rows, err := db.query(ctx, "SELECT project_id, id, org, status, inclusion_cents, exceptional_cents, justification, requested_on, "+
		"granted_inclusion_cents, granted_exceptional_cents, reason, decided_on, sequence FROM support_requests WHERE project_id = ? "+
		"ORDER BY requested_on, id", projectID)
	if err != nil {
		return nil, queryErr(err, "the support requests")
	}
	defer rows.Close()
	out := []projections.SupportRequestView{}
	for rows.Next() {
		var r projections.SupportRequestView
		if err := rows.Scan(&r.ProjectID, &r.ID, &r.Org, &r.Status, &r.InclusionSupportCents, &r.ExceptionalCostsCents, &r.Justification, &r.RequestedOn,
			&r.GrantedInclusionCents, &r.GrantedExceptionalCents, &r.Reason, &r.DecidedOn, &r.Sequence); err != nil {
			return nil, queryErr(err, "the support requests")
		}
		out = append(out, r)
	}
	return out, queryErr(rows.Err(), "the support requests")
}

// PaymentPlan implements projections.PlanReader.
func (m *Manager) PaymentPlan(ctx context.Context, projectID string) (projections.PaymentPlanView, bool, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.PaymentPlanView{}, false, err
	}
	defer g.release()
	return g.db.PaymentPlan(ctx, projectID)
}

// SupportRequests implements projections.PlanReader.
func (m *Manager) SupportRequests(ctx context.Context, projectID string) ([]projections.SupportRequestView, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.SupportRequests(ctx, projectID)
}

var (
	_ projections.PlanReader = (*DB)(nil)
	_ projections.PlanReader = (*Manager)(nil)
)

package sqlite

import (
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// planStmts are the statements of the payment plans' and support
// requests' tables (migration 0008), prepared when first needed.
type planStmts struct {
	planPut, instDel, instPut, payInst, reqPut, reqDecide *wstmt
}

func (a *applier) plans() (*planStmts, error) {
	if a.plan != nil {
		return a.plan, nil
	}
	r := &planStmts{}
	for _, d := range []struct {
		dst **wstmt
		sql string
	}{
		{&r.planPut, "INSERT OR REPLACE INTO payment_plans (project_id, org, planned_cents, balance_due_days, set_on, sequence) VALUES (?, ?, ?, ?, ?, ?)"},
		{&r.instDel, "DELETE FROM payment_instalments WHERE project_id = ?"},
		{&r.instPut, "INSERT OR REPLACE INTO payment_instalments (project_id, id, org, kind, amount_cents, due_date, sequence) VALUES (?, ?, ?, ?, ?, ?, ?)"},
		{&r.payInst, "UPDATE payments SET instalment_id = ? WHERE id = ? AND project_id = ?"},
		{&r.reqPut, "INSERT OR REPLACE INTO support_requests (project_id, id, org, status, inclusion_cents, exceptional_cents, justification, requested_on, " +
			"granted_inclusion_cents, granted_exceptional_cents, reason, decided_on, sequence) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, 0, 0, '', '', ?)"},
		{&r.reqDecide, "UPDATE support_requests SET status = ?, granted_inclusion_cents = ?, granted_exceptional_cents = ?, reason = ?, decided_on = ?, sequence = ? " +
			"WHERE project_id = ? AND id = ?"},
	} {
		s, err := a.w.prepare(d.sql)
		if err != nil {
			return nil, err
		}
		*d.dst = s
	}
	a.plan = r
	return r, nil
}

// registerPlanHandlers projects payment plans (BUD-PAYMENTS) and requests
// for inclusion support (BUD-INCLUSION-REQ).
func registerPlanHandlers(hs map[string]*handler) {
	on(hs, applyPaymentPlanSet, func(_ *events.Envelope, e *aggregates.PaymentPlanSet) string {
		return fmt.Sprintf("Payment plan of project %s set on %s: %d instalments, %s planned, balance due %d days after the final assessment",
			e.ProjectID, e.SetOn, len(e.Instalments), eur(e.PlannedCents), e.BalanceDueDays)
	})
	on(hs, applySupportRequested, func(_ *events.Envelope, e *aggregates.InclusionSupportRequested) string {
		return fmt.Sprintf("Support request %s of project %s on %s: inclusion support %s, exceptional costs %s",
			e.RequestID, e.ProjectID, e.RequestedOn, eur(e.InclusionSupportCents), eur(e.ExceptionalCostsCents))
	})
	on(hs, applySupportDecided, func(_ *events.Envelope, e *aggregates.InclusionSupportDecided) string {
		if e.Outcome == aggregates.OutcomeApproved {
			return fmt.Sprintf("Support request %s of project %s approved on %s: inclusion support %s, exceptional costs %s (project totals %s and %s)",
				e.RequestID, e.ProjectID, e.DecidedOn, eur(e.GrantedInclusionCents), eur(e.GrantedExceptionalCents), eur(e.TotalInclusionCents), eur(e.TotalExceptionalCents))
		}
		return fmt.Sprintf("Support request %s of project %s rejected on %s: %s", e.RequestID, e.ProjectID, e.DecidedOn, e.Reason)
	})
}

func applyPaymentPlanSet(a *applier, env *events.Envelope, e *aggregates.PaymentPlanSet) error {
	st, err := a.plans()
	if err != nil {
		return err
	}
	seq := int64(env.Sequence)
	if err := st.planPut.exec(e.ProjectID, e.OID, e.PlannedCents, int64(e.BalanceDueDays), e.SetOn.String(), seq); err != nil {
		return err
	}
	if err := st.instDel.exec(e.ProjectID); err != nil {
		return err
	}
	for _, in := range e.Instalments {
		if err := st.instPut.exec(e.ProjectID, in.ID, e.OID, in.Kind, in.AmountCents, in.DueDate.String(), seq); err != nil {
			return err
		}
	}
	return nil
}

// payInstalment records which instalment a payment pays.
func payInstalment(a *applier, e *aggregates.PaymentRecorded) error {
	if e.InstalmentID == "" {
		return nil
	}
	st, err := a.plans()
	if err != nil {
		return err
	}
	return st.payInst.exec(e.InstalmentID, e.PaymentID, e.ProjectID)
}

func applySupportRequested(a *applier, env *events.Envelope, e *aggregates.InclusionSupportRequested) error {
	st, err := a.plans()
	if err != nil {
		return err
	}
	return st.reqPut.exec(e.ProjectID, e.RequestID, e.OID, e.InclusionSupportCents, e.ExceptionalCostsCents, e.Justification, e.RequestedOn.String(), int64(env.Sequence))
}

func applySupportDecided(a *applier, env *events.Envelope, e *aggregates.InclusionSupportDecided) error {
	st, err := a.plans()
	if err != nil {
		return err
	}
	status := aggregates.SupportRejected
	if e.Outcome == aggregates.OutcomeApproved {
		status = aggregates.SupportApproved
	}
	return st.reqDecide.exec(status, e.GrantedInclusionCents, e.GrantedExceptionalCents, e.Reason, e.DecidedOn.String(), int64(env.Sequence), e.ProjectID, e.RequestID)
}

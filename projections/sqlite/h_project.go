package sqlite

import (
	"encoding/json"
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// registerProjectHandlers projects the project aggregate's lifecycle events
// (mobilities are in h_mobility.go).
func registerProjectHandlers(hs map[string]*handler) {
	on(hs, applyApplicationSubmitted, func(_ *events.Envelope, e *aggregates.ApplicationSubmitted) string {
		return fmt.Sprintf("Application %s submitted by %s: %s %s call %d round %d, %s to %s, %s requested",
			e.ProjectID, e.OID, e.Action, e.Field, e.CallYear, e.Round, e.StartDate, e.EndDate, eur(e.RequestedCents))
	})
	on(hs, projectStatus(func(_ *aggregates.ApplicationWithdrawn) string { return aggregates.StatusWithdrawn }),
		func(_ *events.Envelope, e *aggregates.ApplicationWithdrawn) string {
			return fmt.Sprintf("Application %s withdrawn by %s on %s", e.ProjectID, e.OID, e.WithdrawnOn)
		})
	on(hs, projectStatus(func(e *aggregates.EligibilityAssessed) string {
		if e.Outcome == aggregates.OutcomeIneligible {
			return aggregates.StatusIneligible
		}
		return aggregates.StatusEligible
	}), func(_ *events.Envelope, e *aggregates.EligibilityAssessed) string {
		return fmt.Sprintf("Application %s assessed %s on %s", e.ProjectID, e.Outcome, e.AssessedOn)
	})
	on(hs, applyApplicationDecided, func(_ *events.Envelope, e *aggregates.ApplicationDecided) string {
		if e.Outcome == aggregates.OutcomeApproved {
			return fmt.Sprintf("Application %s approved on %s with a grant of %s", e.ProjectID, e.DecidedOn, eur(e.AwardedCents))
		}
		return fmt.Sprintf("Application %s decided on %s: %s", e.ProjectID, e.DecidedOn, e.Outcome)
	})
	on(hs, applyGrantAgreementSigned, func(_ *events.Envelope, e *aggregates.GrantAgreementSigned) string {
		return fmt.Sprintf("Grant agreement %s of project %s signed on %s for %s", e.AgreementNo, e.ProjectID, e.SignedOn, eur(e.AwardedCents))
	})
	on(hs, applyPaymentRecorded, func(_ *events.Envelope, e *aggregates.PaymentRecorded) string {
		if e.Kind == aggregates.PaymentRecovery {
			return fmt.Sprintf("Recovery %s of %s from project %s on %s; net paid now %s", e.PaymentID, eur(e.AmountCents), e.ProjectID, e.PaidOn, eur(e.NetPaidCents))
		}
		return fmt.Sprintf("Payment %s (%s) of %s to project %s on %s; net paid now %s", e.PaymentID, e.Kind, eur(e.AmountCents), e.ProjectID, e.PaidOn, eur(e.NetPaidCents))
	})
	on(hs, applyProjectAmended, func(_ *events.Envelope, e *aggregates.ProjectAmended) string {
		return fmt.Sprintf("Project %s amended (%s): %s to %s, grant %s (was %s to %s, %s)", e.ProjectID, e.AmendmentID,
			e.StartDate, e.EndDate, eur(e.AwardedCents), e.PreviousStart, e.PreviousEnd, eur(e.PreviousGrant))
	})
	on(hs, func(*applier, *events.Envelope, *aggregates.UkraineExceptionRequested) error { return nil },
		func(_ *events.Envelope, e *aggregates.UkraineExceptionRequested) string {
			return fmt.Sprintf("Ukraine exception requested for project %s on %s", e.ProjectID, e.RequestedOn)
		})
	on(hs, applyUkraineExceptionDecided, func(_ *events.Envelope, e *aggregates.UkraineExceptionDecided) string {
		return fmt.Sprintf("Ukraine exception for project %s %s on %s", e.ProjectID, e.Outcome, e.DecidedOn)
	})
	on(hs, applyInterimReportSubmitted, func(_ *events.Envelope, e *aggregates.InterimReportSubmitted) string {
		return fmt.Sprintf("Interim report %s of project %s submitted on %s: %s reported", e.ReportID, e.ProjectID, e.SubmittedOn, eur(e.ReportedCents))
	})
	on(hs, applyFinalReportSubmitted, func(_ *events.Envelope, e *aggregates.FinalReportSubmitted) string {
		late := ""
		if e.Late {
			late = " (late)"
		}
		return fmt.Sprintf("Final report of project %s submitted on %s%s: %d mobilities, %s reported", e.ProjectID, e.SubmittedOn, late, e.Mobilities, eur(e.ReportedCents))
	})
	on(hs, applyFinalReportAssessed, func(_ *events.Envelope, e *aggregates.FinalReportAssessed) string {
		return fmt.Sprintf("Final report of project %s assessed %s on %s: final grant %s, balance %s", e.ProjectID, e.Outcome, e.AssessedOn, eur(e.FinalCents), eur(e.BalanceCents))
	})
	on(hs, applyProjectClosed, func(_ *events.Envelope, e *aggregates.ProjectClosed) string {
		return fmt.Sprintf("Project %s closed on %s: final grant %s, net paid %s", e.ProjectID, e.ClosedOn, eur(e.FinalCents), eur(e.NetPaidCents))
	})
	on(hs, applyProjectTerminated, func(_ *events.Envelope, e *aggregates.ProjectTerminated) string {
		return fmt.Sprintf("Project %s terminated on %s: %s", e.ProjectID, e.TerminatedOn, e.Reason)
	})
}

// projectStatus returns an apply function that only sets the project's status.
func projectStatus[T any](status func(*T) string) func(*applier, *events.Envelope, *T) error {
	return func(a *applier, env *events.Envelope, e *T) error {
		p, err := a.mustProject(env.Ref.ID)
		if err != nil {
			return err
		}
		p.status = status(e)
		a.touchProject(p)
		return nil
	}
}

func applyApplicationSubmitted(a *applier, env *events.Envelope, e *aggregates.ApplicationSubmitted) error {
	partners := make([]projections.PartnerView, len(e.Partners))
	for i, pt := range e.Partners {
		partners[i] = projections.PartnerView{OID: pt.OID, Name: pt.Name, Country: pt.Country, Role: pt.Role}
	}
	pj, err := json.Marshal(partners)
	if err != nil {
		return err
	}
	p, err := a.project(e.ProjectID)
	if err != nil {
		return err
	}
	isNew := p == nil
	if isNew {
		p = &projectRow{}
	}
	// A resubmission under the same number keeps the counters.
	p.id, p.org, p.title, p.action, p.field = e.ProjectID, e.OID, e.Title, e.Action, e.Field
	p.callYear, p.round, p.consortium = int64(e.CallYear), int64(e.Round), e.Consortium
	p.status, p.partnersJSON = aggregates.StatusSubmitted, string(pj)
	p.startDate, p.endDate, p.submittedOn = e.StartDate.String(), e.EndDate.String(), e.SubmittedOn.String()
	p.requested = e.RequestedCents
	if !isNew {
		a.touchProject(p)
		return nil
	}
	a.putProject(p)
	o, err := a.org(e.OID)
	if err != nil || o == nil {
		return err
	}
	o.projectCount++
	a.touchOrg(o)
	return nil
}

func applyApplicationDecided(a *applier, env *events.Envelope, e *aggregates.ApplicationDecided) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	switch e.Outcome {
	case aggregates.OutcomeApproved:
		p.status = aggregates.StatusApproved
	case aggregates.OutcomeReserve:
		p.status = aggregates.StatusReserve
	default:
		p.status = e.Outcome
	}
	p.awarded, p.decidedOn = e.AwardedCents, e.DecidedOn.String()
	a.touchProject(p)
	return nil
}

func applyGrantAgreementSigned(a *applier, env *events.Envelope, e *aggregates.GrantAgreementSigned) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.status, p.signedOn, p.agreementNo = aggregates.StatusOngoing, e.SignedOn.String(), e.AgreementNo
	if e.AwardedCents != 0 {
		p.awarded = e.AwardedCents
	}
	a.touchProject(p)
	return nil
}

func applyPaymentRecorded(a *applier, env *events.Envelope, e *aggregates.PaymentRecorded) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.paid = e.NetPaidCents
	p.payments++
	a.touchProject(p)
	if err := a.st.payPut.exec(e.PaymentID, e.ProjectID, p.org, e.Kind, e.AmountCents, e.NetPaidCents, e.PaidOn.String(), a.commandReason(env.Reason), int64(env.Sequence)); err != nil {
		return err
	}
	return payInstalment(a, e)
}

func applyProjectAmended(a *applier, env *events.Envelope, e *aggregates.ProjectAmended) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.startDate, p.endDate, p.awarded = e.StartDate.String(), e.EndDate.String(), e.AwardedCents
	a.touchProject(p)
	return nil
}

func applyUkraineExceptionDecided(a *applier, env *events.Envelope, e *aggregates.UkraineExceptionDecided) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.ukraine = e.Outcome == aggregates.OutcomeApplied
	a.touchProject(p)
	return nil
}

func applyInterimReportSubmitted(a *applier, env *events.Envelope, e *aggregates.InterimReportSubmitted) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.reports++
	a.touchProject(p)
	return a.st.repPut.exec(e.ProjectID, e.ReportID, p.org, "interim", "submitted", e.Summary, e.SubmittedOn.String(), false,
		int64(0), e.ReportedCents, "", "", int64(0), int64(0), int64(0), "", int64(env.Sequence))
}

func applyFinalReportSubmitted(a *applier, env *events.Envelope, e *aggregates.FinalReportSubmitted) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.reports++
	p.status = aggregates.StatusReportLocked
	a.touchProject(p)
	return a.st.repPut.exec(e.ProjectID, finalReportID, p.org, "final", "submitted", e.Summary, e.SubmittedOn.String(), e.Late,
		int64(e.Mobilities), e.ReportedCents, "", "", int64(0), int64(0), int64(0), "", int64(env.Sequence))
}

// finalReportID is the report ID of a project's final report.
const finalReportID = "final"

func applyFinalReportAssessed(a *applier, env *events.Envelope, e *aggregates.FinalReportAssessed) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.status, p.final = aggregates.StatusReportAssessed, e.FinalCents
	a.touchProject(p)
	return a.st.repAssess.exec(e.Outcome, e.AssessedOn.String(), e.FinalCents, e.BalanceCents, int64(e.Score), e.Note,
		int64(env.Sequence), e.ProjectID, finalReportID)
}

func applyProjectClosed(a *applier, env *events.Envelope, e *aggregates.ProjectClosed) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.status, p.closedOn, p.final, p.paid = aggregates.StatusClosed, e.ClosedOn.String(), e.FinalCents, e.NetPaidCents
	a.touchProject(p)
	return nil
}

func applyProjectTerminated(a *applier, env *events.Envelope, e *aggregates.ProjectTerminated) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	p.status, p.closedOn = aggregates.StatusTerminated, e.TerminatedOn.String()
	a.touchProject(p)
	return nil
}

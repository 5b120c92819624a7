package api

import (
	"context"
	"net/http"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// planReader returns the reader of payment plans and support requests.
func (s *Server) planReader() (projections.PlanReader, error) {
	r, ok := s.d.Reader.(projections.PlanReader)
	if !ok {
		return nil, apperr.New(apperr.Unavailable, "the read models of this server hold no payment plans or support requests")
	}
	return r, nil
}

// getPaymentPlan answers the project's payment schedule (BUD-PAYMENTS):
// each planned instalment, and the balance or recovery once the final
// report is assessed, as planned, due, overdue or paid on a day (today in
// the office's zone unless ?on= names another).
func (s *Server) getPaymentPlan(c echo.Context) error {
	if err := s.consistent(c); err != nil {
		return err
	}
	day := aggregates.OfficeDay(s.d.Clock.Now())
	if raw := c.QueryParam("on"); raw != "" {
		d, err := aggregates.ParseDate(raw)
		if err != nil {
			return apperr.InvalidField("on", "%q is not a date YYYY-MM-DD", raw)
		}
		day = d
	}
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	sch, err := s.schedule(c.Request().Context(), pv, day)
	if err != nil {
		return err
	}
	return jsonConditional(c, sch)
}

// schedule computes project pv's payment schedule on day from the read
// models with the domain's own Project.Schedule.
func (s *Server) schedule(ctx context.Context, pv projections.ProjectView, day aggregates.Date) (aggregates.PaymentSchedule, error) {
	pr, err := s.planReader()
	if err != nil {
		return aggregates.PaymentSchedule{}, err
	}
	plan, _, err := pr.PaymentPlan(ctx, pv.ID)
	if err != nil {
		return aggregates.PaymentSchedule{}, err
	}
	pays, err := s.d.Reader.Payments(ctx, pv.ID)
	if err != nil {
		return aggregates.PaymentSchedule{}, err
	}
	reps, err := s.d.Reader.Reports(ctx, pv.ID)
	if err != nil {
		return aggregates.PaymentSchedule{}, err
	}
	p := aggregates.Project{ID: pv.ID, NetPaidCents: pv.PaidCents, BalanceDueDays: plan.BalanceDueDays}
	for _, in := range plan.Instalments {
		due, err := aggregates.ParseDate(in.DueDate)
		if err != nil {
			return aggregates.PaymentSchedule{}, apperr.New(apperr.Internal, "instalment %s of project %s has a bad due date", in.ID, pv.ID)
		}
		p.PaymentPlan = append(p.PaymentPlan, aggregates.PlannedInstalment{ID: in.ID, Kind: in.Kind, AmountCents: in.AmountCents, DueDate: due})
	}
	for _, pay := range pays {
		on, _ := aggregates.ParseDate(pay.PaidOn)
		p.Payments = append(p.Payments, aggregates.Payment{ID: pay.ID, Kind: pay.Kind, AmountCents: pay.AmountCents, PaidOn: on, InstalmentID: pay.InstalmentID})
	}
	for _, r := range reps {
		if r.Kind == "final" && r.Status == "assessed" {
			if on, err := aggregates.ParseDate(r.AssessedOn); err == nil {
				p.AssessedOn, p.FinalCents = on, r.FinalCents
			}
		}
	}
	return p.Schedule(day), nil
}

// planStatus adds today's payment schedule and, but for analysts, the
// pending support requests to a project's status, when the read models
// hold them.
func (s *Server) planStatus(c echo.Context, pv projections.ProjectView, out *ProjectStatus) error {
	return s.planStatusOn(c, pv, aggregates.OfficeDay(s.d.Clock.Now()), out)
}

// planStatusOn is planStatus with the schedule as of day.
func (s *Server) planStatusOn(c echo.Context, pv projections.ProjectView, day aggregates.Date, out *ProjectStatus) error {
	pr, ok := s.d.Reader.(projections.PlanReader)
	if !ok {
		return nil
	}
	ctx := c.Request().Context()
	sch, err := s.schedule(ctx, pv, day)
	if err != nil {
		return err
	}
	out.Payments = &sch
	if principal(c).Role == aggregates.RoleAnalyst {
		return nil
	}
	reqs, err := pr.SupportRequests(ctx, pv.ID)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if r.Status == aggregates.SupportPending {
			out.PendingSupportRequests = append(out.PendingSupportRequests, r)
		}
	}
	return nil
}

// listSupportRequests answers the project's requests for inclusion
// support and exceptional costs, pending and decided (BUD-INCLUSION-REQ).
func (s *Server) listSupportRequests(c echo.Context) error {
	if err := s.consistent(c); err != nil {
		return err
	}
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	pr, err := s.planReader()
	if err != nil {
		return err
	}
	out, err := pr.SupportRequests(c.Request().Context(), pv.ID)
	if err != nil {
		return err
	}
	if st := c.QueryParam("status"); st != "" {
		kept := []projections.SupportRequestView{}
		for _, r := range out {
			if r.Status == st {
				kept = append(kept, r)
			}
		}
		out = kept
	}
	return c.JSON(http.StatusOK, out)
}

package api

import (
	"net/http"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// ProjectStatus is a project with its budget.
type ProjectStatus struct {
	Project projections.ProjectView `json:"project"`
	Budget  Budget                  `json:"budget"`
	// Payments is the payment schedule today (BUD-PAYMENTS).
	Payments *aggregates.PaymentSchedule `json:"payments,omitempty"`
	// PendingSupportRequests are the requests for inclusion support the
	// office has not decided yet (BUD-INCLUSION-REQ; not for analysts).
	PendingSupportRequests []projections.SupportRequestView `json:"pending_support_requests,omitempty"`
	// Deadlines are the reminders and overdue flags the project recorded
	// (LIFE-REPORT-DUE, LIFE-ASSESS-DUE) and whether it is overdue now.
	Deadlines *projections.DeadlineStatus `json:"deadlines,omitempty"`
}

// ProjectAsOf is a project as it stood at a past time, rebuilt from the events.
type ProjectAsOf struct {
	At time.Time `json:"at"`
	// Clock is the clock At was read on (ASOF-CLOCK).
	Clock   events.TimeAxis    `json:"clock"`
	Head    events.Head        `json:"head"`
	Project aggregates.Project `json:"project"`
}

func (s *Server) listProjects(c echo.Context) error {
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	org, err := ownOrg(c, c.QueryParam("org"))
	if err != nil {
		return err
	}
	year, err := intParam(c, "call_year")
	if err != nil {
		return err
	}
	status, err := oneOfParam(c, "status", projectStatuses)
	if err != nil {
		return err
	}
	overdue, err := boolParam(c, "overdue")
	if err != nil {
		return err
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	out, err := s.d.Reader.Projects(c.Request().Context(), projections.ProjectFilter{
		Org: org, CallYear: year, Action: c.QueryParam("action"), Field: c.QueryParam("field"), Status: status, Overdue: overdue, Page: pg,
	})
	if err != nil {
		return err
	}
	if out.Items == nil {
		out.Items = []projections.ProjectView{}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getProject(c echo.Context) error {
	if err := s.consistent(c); err != nil {
		return err
	}
	id := c.Param("id")
	// The answer depends on the project's rows, today's date (the payment
	// schedule) and whether the reader is an analyst: cached by those
	// (readcache.go), the stamp read before the read models.
	k := readKey{kind: readStatus, project: id, day: aggregates.OfficeDay(s.d.Clock.Now()), analyst: principal(c).Role == aggregates.RoleAnalyst}
	st := s.reads.stamp(id)
	if e, ok := s.reads.get(&k, st); ok && !pretty(c) {
		return serveCached(c, e, id)
	}
	pv, err := s.visibleProject(c, id)
	if err != nil {
		return err
	}
	// No 304 here: the answer holds the payment schedule and the overdue
	// flags as of today, which change without the project's version; the
	// ETag (the version) serves If-Match.
	b, err := s.budgetOf(c.Request().Context(), pv)
	if err != nil {
		return err
	}
	out := ProjectStatus{Project: pv, Budget: b}
	if err := s.planStatusOn(c, pv, k.day, &out); err != nil {
		return err
	}
	if r, ok := s.d.Reader.(deadlineReader); ok {
		d, err := r.Deadlines(c.Request().Context(), pv.ID)
		if err != nil {
			return err
		}
		out.Deadlines = &d
	}
	return s.answerAndKeep(c, &k, st, pv.Org, etag(pv.Version), out)
}

func (s *Server) projectAsOf(c echo.Context) error {
	id := c.Param("id")
	at, ok, err := parseAsOf(c)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.InvalidField("at", "give the time to rebuild the project at: ?at=2024-05-31 or ?at=2024-05-31T12:00:00Z")
	}
	ctx := c.Request().Context()
	p := principal(c)
	if p.Role == aggregates.RoleBeneficiary {
		org, err := s.d.Commands.Locate(ctx, aggregates.KindProject, id)
		if err != nil {
			return err
		}
		if org != p.Org {
			return notFound(aggregates.KindProject, id)
		}
	}
	pr, head, err := s.d.Commands.ProjectAt(ctx, id, at)
	if err != nil {
		return asOfErr(c, err)
	}
	pr = redactProject(pr, p.Role == aggregates.RoleAnalyst)
	if notModified(c, etag(head.Version)) {
		return answerNotModified(c)
	}
	return c.JSON(http.StatusOK, ProjectAsOf{At: at.At, Clock: at.Axis, Head: head, Project: withEmptyLists(pr)})
}

// redactProject removes the sealed personal data (PD-SEALED: personal data
// is read from the participant's resource, which honours erasures) and,
// for analysts, any personal data: analysts see pseudonymous participant
// IDs only.
func redactProject(p aggregates.Project, analyst bool) aggregates.Project {
	mobs := make(map[string]aggregates.MobilityRecord, len(p.Mobilities))
	for id, m := range p.Mobilities {
		m.Mobility.PersonalSealed = nil
		if analyst {
			m.Mobility.Personal = aggregates.Personal{}
		}
		mobs[id] = m
	}
	p.Mobilities = mobs
	return p
}

func (s *Server) listPayments(c echo.Context) error {
	if err := s.consistent(c); err != nil {
		return err
	}
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	out, err := s.d.Reader.Payments(c.Request().Context(), pv.ID)
	if err != nil {
		return err
	}
	if out == nil {
		out = []projections.PaymentView{}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) listReports(c echo.Context) error {
	if err := s.consistent(c); err != nil {
		return err
	}
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	out, err := s.d.Reader.Reports(c.Request().Context(), pv.ID)
	if err != nil {
		return err
	}
	if out == nil {
		out = []projections.ReportView{}
	}
	return c.JSON(http.StatusOK, out)
}

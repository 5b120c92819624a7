package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// OrganisationStatus is an organisation with its accreditations and the
// budgets of its projects.
type OrganisationStatus struct {
	Organisation projections.OrganisationView `json:"organisation"`
	Projects     []ProjectSummary             `json:"projects"`
}

// ProjectSummary is a project in an organisation's status.
type ProjectSummary struct {
	Project projections.ProjectView `json:"project"`
}

// ProjectStatus is a project with its budget.
type ProjectStatus struct {
	Project projections.ProjectView `json:"project"`
	Budget  Budget                  `json:"budget"`
}

// ProjectAsOf is a project as it stood at a past time, rebuilt from the events.
type ProjectAsOf struct {
	At      time.Time          `json:"at"`
	Head    events.Head        `json:"head"`
	Project aggregates.Project `json:"project"`
}

// RatesIndex lists the call years with a rates table.
type RatesIndex struct {
	Years []int `json:"years"`
}

// visibleOrg refuses a beneficiary another organisation, as not found.
func visibleOrg(c echo.Context, oid string) error {
	p := principal(c)
	if p.Role == aggregates.RoleBeneficiary && p.Org != oid {
		return notFound(aggregates.KindOrganisation, oid)
	}
	return nil
}

// visibleProject reads a project the caller may see; another
// organisation's project is not found for a beneficiary.
func (s *Server) visibleProject(c echo.Context, id string) (projections.ProjectView, error) {
	pv, err := s.d.Reader.Project(c.Request().Context(), id)
	if err != nil {
		return projections.ProjectView{}, sameNotFound(err, aggregates.KindProject, id)
	}
	if p := principal(c); p.Role == aggregates.RoleBeneficiary && pv.Org != p.Org {
		return projections.ProjectView{}, notFound(aggregates.KindProject, id)
	}
	return pv, nil
}

// sameNotFound gives every missing resource the one answer of notFound,
// whatever words the layer below used, so that a foreign resource and a
// missing one cannot be told apart.
func sameNotFound(err error, kind, id string) error {
	if apperr.CodeOf(err) == apperr.NotFound {
		return notFound(kind, id)
	}
	return err
}

// ownOrg returns the organisation a beneficiary is bound to and refuses a
// filter on another one (empty for other roles: the filter stands).
func ownOrg(c echo.Context, asked string) (string, error) {
	p := principal(c)
	if p.Role != aggregates.RoleBeneficiary {
		return asked, nil
	}
	if asked != "" && asked != p.Org {
		return "", notFound(aggregates.KindOrganisation, asked)
	}
	return p.Org, nil
}

func (s *Server) listOrganisations(c echo.Context) error {
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	out, err := s.d.Reader.Organisations(c.Request().Context(), projections.OrganisationFilter{Country: strings.ToUpper(c.QueryParam("country")), Page: pg})
	if err != nil {
		return err
	}
	if out.Items == nil {
		out.Items = []projections.OrganisationView{}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getOrganisation(c echo.Context) error {
	oid := c.Param("oid")
	if err := visibleOrg(c, oid); err != nil {
		return err
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ov, err := s.d.Reader.Organisation(ctx, oid)
	if err != nil {
		return sameNotFound(err, aggregates.KindOrganisation, oid)
	}
	prjs, err := s.d.Reader.ProjectsOf(ctx, oid)
	if err != nil {
		return err
	}
	out := OrganisationStatus{Organisation: ov, Projects: []ProjectSummary{}}
	for _, p := range prjs {
		out.Projects = append(out.Projects, ProjectSummary{Project: p})
	}
	c.Response().Header().Set("ETag", etag(ov.Version))
	return c.JSON(http.StatusOK, out)
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
	if err := s.consistent(c); err != nil {
		return err
	}
	out, err := s.d.Reader.Projects(c.Request().Context(), projections.ProjectFilter{
		Org: org, CallYear: year, Action: c.QueryParam("action"), Field: c.QueryParam("field"), Status: c.QueryParam("status"), Page: pg,
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
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	b, err := s.budgetOf(c.Request().Context(), pv)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(pv.Version))
	return c.JSON(http.StatusOK, ProjectStatus{Project: pv, Budget: b})
}

func (s *Server) projectAsOf(c echo.Context) error {
	id := c.Param("id")
	raw := c.QueryParam("at")
	if raw == "" {
		return apperr.InvalidField("at", "give the time to rebuild the project at: ?at=2024-05-31 or ?at=2024-05-31T12:00:00Z")
	}
	at, err := parseInstant("at", raw)
	if err != nil {
		return err
	}
	if len(raw) == len(time.DateOnly) {
		at = at.Add(24*time.Hour - time.Nanosecond) // the whole day
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
	pr, head, err := s.d.Commands.ProjectAsOf(ctx, id, at)
	if err != nil {
		return err
	}
	if p.Role == aggregates.RoleAnalyst {
		pr = redactProject(pr)
	}
	c.Response().Header().Set("ETag", etag(head.Version))
	return c.JSON(http.StatusOK, ProjectAsOf{At: at, Head: head, Project: pr})
}

// redactProject removes participants' personal data: analysts see
// pseudonymous participant IDs only.
func redactProject(p aggregates.Project) aggregates.Project {
	mobs := make(map[string]aggregates.MobilityRecord, len(p.Mobilities))
	for id, m := range p.Mobilities {
		m.Mobility.Personal = aggregates.Personal{}
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

// mobilityFilter reads the mobility filters of the query string.
func mobilityFilter(c echo.Context) (projections.MobilityFilter, error) {
	pg, err := pageOf(c)
	if err != nil {
		return projections.MobilityFilter{}, err
	}
	inc, err := boolParam(c, "include_cancelled")
	if err != nil {
		return projections.MobilityFilter{}, err
	}
	return projections.MobilityFilter{
		Org: c.QueryParam("org"), ProjectID: c.QueryParam("project_id"), ParticipantID: c.QueryParam("participant_id"),
		Activity: c.QueryParam("activity"), Status: c.QueryParam("status"),
		ReceivingCountry: strings.ToUpper(c.QueryParam("receiving_country")), IncludeCancelled: inc, Page: pg,
	}, nil
}

func (s *Server) listProjectMobilities(c echo.Context) error {
	f, err := mobilityFilter(c)
	if err != nil {
		return err
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	f.ProjectID, f.Org = pv.ID, ""
	out, err := s.d.Reader.Mobilities(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, nonNilMobilities(out))
}

func (s *Server) listMobilities(c echo.Context) error {
	f, err := mobilityFilter(c)
	if err != nil {
		return err
	}
	if f.Org, err = ownOrg(c, f.Org); err != nil {
		return err
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	out, err := s.d.Reader.Mobilities(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, nonNilMobilities(out))
}

func nonNilMobilities(p projections.MobilityPage) projections.MobilityPage {
	if p.Items == nil {
		p.Items = []projections.MobilityView{}
	}
	return p
}

func (s *Server) getMobility(c echo.Context) error {
	if err := s.consistent(c); err != nil {
		return err
	}
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	m, err := s.d.Reader.Mobility(c.Request().Context(), pv.ID, c.Param("mid"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (s *Server) getParticipant(c echo.Context) error {
	p := principal(c)
	org := c.QueryParam("org")
	if p.Role == aggregates.RoleBeneficiary {
		if org != "" && org != p.Org {
			return notFound("participant", c.Param("pid"))
		}
		org = p.Org
	}
	if org == "" {
		return apperr.InvalidField("org", "participant IDs are pseudonymous per organisation: give ?org=<OID> of the organisation that reported the participant")
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	pv, err := s.d.Reader.Participant(c.Request().Context(), org, c.Param("pid"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, pv)
}

func (s *Server) listRates(c echo.Context) error {
	if s.d.Rates == nil {
		return apperr.New(apperr.Unavailable, "no rates book is loaded")
	}
	years := s.d.Rates.Years()
	if years == nil {
		years = []int{}
	}
	return c.JSON(http.StatusOK, RatesIndex{Years: years})
}

func (s *Server) getRates(c echo.Context) error {
	if s.d.Rates == nil {
		return apperr.New(apperr.Unavailable, "no rates book is loaded")
	}
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		return apperr.InvalidField("year", "the call year must be a number, not %q", c.Param("year"))
	}
	t, err := s.d.Rates.Year(y)
	if err != nil {
		// A year the book does not hold is a resource that does not exist.
		return apperr.Wrap(apperr.NotFound, err, "there is no rates table for call year %d; years with rates: %v", y, s.d.Rates.Years())
	}
	return c.JSON(http.StatusOK, t)
}

// pageOf reads ?cursor= and ?limit=.
func pageOf(c echo.Context) (projections.Page, error) {
	limit, err := intParam(c, "limit")
	if err != nil {
		return projections.Page{}, err
	}
	if limit < 0 || limit > projections.MaxLimit {
		return projections.Page{}, apperr.InvalidField("limit", "limit %d is not within 1 to %d", limit, projections.MaxLimit)
	}
	return projections.Page{Cursor: c.QueryParam("cursor"), Limit: limit}, nil
}

// intParam reads an optional integer query parameter (0 when absent).
func intParam(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.InvalidField(name, "%s must be an integer, not %q", name, v)
	}
	return n, nil
}

// boolParam reads an optional boolean query parameter.
func boolParam(c echo.Context, name string) (bool, error) {
	v := c.QueryParam(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.InvalidField(name, "%s must be true or false, not %q", name, v)
	}
	return b, nil
}

package api

import (
	"net/http"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
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

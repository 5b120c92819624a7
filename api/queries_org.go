package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// OrganisationStatus is an organisation with its accreditations, its
// projects with their budgets, and the totals over the projects.
type OrganisationStatus struct {
	Organisation projections.OrganisationView `json:"organisation"`
	Totals       Totals                       `json:"totals"`
	Projects     []ProjectStatus              `json:"projects"`
}

// Totals sums the money of an organisation's projects.
type Totals struct {
	Projects       int   `json:"projects"`
	RequestedCents int64 `json:"requested_cents"`
	AwardedCents   int64 `json:"awarded_cents"`
	ReportedCents  int64 `json:"reported_cents"`
	RemainingCents int64 `json:"remaining_cents"`
	PaidCents      int64 `json:"paid_cents"`
}

// statusOf reads organisation oid and returns its status with every
// project's budget; an unknown organisation is not-found, worded as for
// one the caller may not see.
func (s *Server) statusOf(ctx context.Context, oid string) (OrganisationStatus, error) {
	ov, err := s.d.Reader.Organisation(ctx, oid)
	if err != nil {
		return OrganisationStatus{}, sameNotFound(err, aggregates.KindOrganisation, oid)
	}
	prjs, err := s.d.Reader.ProjectsOf(ctx, ov.OID)
	if err != nil {
		return OrganisationStatus{}, err
	}
	out := OrganisationStatus{Organisation: ov, Projects: []ProjectStatus{}}
	for _, p := range prjs {
		b, err := s.budgetOf(ctx, p)
		if err != nil {
			return OrganisationStatus{}, err
		}
		out.Projects = append(out.Projects, ProjectStatus{Project: p, Budget: b})
		t := &out.Totals
		t.Projects++
		t.RequestedCents = money.SatAdd(t.RequestedCents, p.RequestedCents)
		t.AwardedCents = money.SatAdd(t.AwardedCents, p.AwardedCents)
		t.ReportedCents = money.SatAdd(t.ReportedCents, p.ReportedCents)
		t.RemainingCents = money.SatAdd(t.RemainingCents, p.RemainingCents)
		t.PaidCents = money.SatAdd(t.PaidCents, p.PaidCents)
	}
	return out, nil
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
	out, err := s.statusOf(c.Request().Context(), oid)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(out.Organisation.Version))
	return c.JSON(http.StatusOK, out)
}

package api

import (
	"net/http"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

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
	status, err := oneOfParam(c, "status", mobilityStatuses)
	if err != nil {
		return projections.MobilityFilter{}, err
	}
	return projections.MobilityFilter{
		Org: c.QueryParam("org"), ProjectID: c.QueryParam("project_id"), ParticipantID: c.QueryParam("participant_id"),
		Activity: c.QueryParam("activity"), Status: status,
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
	id := c.Param("id")
	// A page depends on the project's rows and its filter only: cached
	// by them (readcache.go), the stamp read before the read models.
	f.ProjectID, f.Org = id, ""
	k := readKey{kind: readPage, project: id, filter: f}
	st := s.reads.stamp(id)
	if e, ok := s.reads.get(&k, st); ok && !pretty(c) {
		return serveCached(c, e, id)
	}
	pv, err := s.visibleProject(c, id)
	if err != nil {
		return err
	}
	f.ProjectID = pv.ID
	out, err := s.d.Reader.Mobilities(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return s.answerAndKeep(c, &k, st, pv.Org, "", nonNilMobilities(out))
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
	// A mobility is part of its project: the project's version is the
	// tag that If-Match of a correction or cancellation compares.
	if notModified(c, etag(pv.Version)) {
		return answerNotModified(c)
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
	return jsonConditional(c, pv)
}

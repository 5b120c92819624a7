package api

import (
	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

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

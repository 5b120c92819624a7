package api

import (
	"context"
	"net/http"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// consortiumReader is a Reader that also answers consortium memberships
// (the SQLite read models do).
type consortiumReader interface {
	ConsortiumMembers(ctx context.Context, coordinator string) ([]projections.ConsortiumMemberView, error)
}

// listConsortiumMembers answers GET /v1/organisations/:oid/consortium-members.
func (s *Server) listConsortiumMembers(c echo.Context) error {
	oid := c.Param("oid")
	if err := visibleOrg(c, oid); err != nil {
		return err
	}
	r, ok := s.d.Reader.(consortiumReader)
	if !ok {
		return apperr.New(apperr.Unavailable, "the read models do not hold consortium memberships")
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	out, err := r.ConsortiumMembers(c.Request().Context(), oid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// deadlineReader is a Reader that also answers a project's deadline flags
// (the SQLite read models do).
type deadlineReader interface {
	Deadlines(ctx context.Context, projectID string) (projections.DeadlineStatus, error)
}

package api

import (
	"context"
	"net/http"
	"time"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// Health is the answer of /healthz and /readyz.
type Health struct {
	Status string `json:"status"`
	// Checkpoint is the stream sequence the read models include.
	Checkpoint uint64 `json:"checkpoint"`
	// Detail says what is not ready.
	Detail string `json:"detail,omitempty"`
}

// healthz tells that the process is up; it checks nothing else.
func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, Health{Status: "up", Checkpoint: s.d.Reader.Checkpoint()})
}

// readyz runs the readiness check of Deps.Ready, bounded in time.
func (s *Server) readyz(c echo.Context) error {
	if s.d.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
		defer cancel()
		if err := s.d.Ready(ctx); err != nil {
			// Readiness detail is operational (what is not ready), not a
			// secret: show it so that an operator sees why.
			msg := err.Error()
			s.log.Warn("not ready", "err", err)
			return apperr.Wrap(apperr.Unavailable, err, "%s", msg)
		}
	}
	// Quarantined events keep the service serving, but say so.
	if n := s.openQuarantined(c.Request().Context()); n != 0 {
		return c.JSON(http.StatusOK, Health{Status: "degraded", Checkpoint: s.d.Reader.Checkpoint(),
			Detail: "the projector quarantined events that failed their checks; see GET /v1/audit/quarantine"})
	}
	return c.JSON(http.StatusOK, Health{Status: "ready", Checkpoint: s.d.Reader.Checkpoint()})
}

// openAPI serves the document generated from the route table.
func (s *Server) openAPI(c echo.Context) error {
	return c.JSONBlob(http.StatusOK, s.openapi)
}

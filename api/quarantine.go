package api

import (
	"context"
	"net/http"
	"time"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// quarantine answers GET /v1/audit/quarantine: the events the projector
// refused (failed signature, hash or chain, or unreadable), with their
// sequence, subject, reason and whether the national office dealt with
// them.
func (s *Server) quarantine(c echo.Context) error {
	if s.d.Quarantine == nil {
		return apperr.New(apperr.Unavailable, "the quarantine is not available here")
	}
	q, err := s.d.Quarantine(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, q)
}

// openQuarantined counts the quarantined events not yet dealt with; -1
// when unknown.
func (s *Server) openQuarantined(ctx context.Context) int {
	if s.d.Quarantine == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	q, err := s.d.Quarantine(ctx)
	if err != nil {
		return -1
	}
	n := 0
	for _, e := range q {
		if e.ResolvedBy == 0 {
			n++
		}
	}
	return n
}

// registerQuarantineMetric adds grants_quarantined_events to /metrics.
func (s *Server) registerQuarantineMetric() {
	if s.d.Quarantine == nil {
		return
	}
	s.metrics.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "grants_quarantined_events",
		Help: "Events the projector refused (failed their checks) that the national office has not dealt with yet (-1 when unknown).",
	}, func() float64 { return float64(s.openQuarantined(context.Background())) }))
}

package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
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

// CatchingUp is the readiness error of read models that are still
// catching up with the stream (after a start, a replay or a burst of
// writes): an expected state, not a failure. Deps.Ready returns it (or
// wraps it) so that /readyz answers 503 without logging an error; any
// other readiness error is a failure and is logged as one, once while it
// lasts.
type CatchingUp struct {
	// Checkpoint is the stream sequence the read models include.
	Checkpoint uint64
	// Last is the stream's last sequence.
	Last uint64
}

// Error says how far the read models are.
func (c CatchingUp) Error() string {
	return fmt.Sprintf("projections at sequence %d of %d", c.Checkpoint, c.Last)
}

// readinessLog logs a readiness failure once while it lasts, not at every
// probe of a load balancer (a full or read-only disk lasts minutes), and
// its end once.
type readinessLog struct {
	mu sync.Mutex
	// last is the failure last logged; "" while none lasts.
	last string
}

// failed reports whether msg is a failure other than the one last logged.
func (r *readinessLog) failed(msg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if msg == r.last {
		return false
	}
	r.last = msg
	return true
}

// over logs the end of the failure last logged, if one lasted.
func (r *readinessLog) over(log *slog.Logger) {
	r.mu.Lock()
	was := r.last
	r.last = ""
	r.mu.Unlock()
	if was != "" {
		log.Info("no longer failing readiness", "was", was)
	}
}

// readyz runs the readiness check of Deps.Ready, bounded in time.
func (s *Server) readyz(c echo.Context) error {
	if s.d.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
		defer cancel()
		if err := s.d.Ready(ctx); err != nil {
			// Readiness detail is operational (what is not ready), not a
			// secret: show it so that an operator sees why.
			notReady := apperr.Wrap(apperr.Unavailable, err, "%s", err.Error())
			var cu CatchingUp
			if errors.As(err, &cu) {
				// Catching up: the access log line says 503; the detail
				// is for debugging only.
				s.readyLog.over(s.log)
				s.log.Debug("not ready: read models catching up", "checkpoint", cu.Checkpoint, "last", cu.Last, "request_id", requestID(c))
			} else if s.readyLog.failed(err.Error()) {
				s.log.Error("not ready", "err", err, "request_id", requestID(c))
			} else {
				s.log.Debug("still not ready", "err", err, "request_id", requestID(c))
			}
			p := problemOf(notReady)
			p.Instance, p.RequestID = c.Request().URL.Path, requestID(c)
			return writeProblem(c, p)
		}
	}
	s.readyLog.over(s.log)
	// Quarantined events keep the service serving, but say so.
	if n := s.openQuarantined(c.Request().Context()); n != 0 {
		return c.JSON(http.StatusOK, Health{Status: "degraded", Checkpoint: s.d.Reader.Checkpoint(),
			Detail: "the projector quarantined events that failed their checks; see GET /v1/audit/quarantine"})
	}
	return c.JSON(http.StatusOK, Health{Status: "ready", Checkpoint: s.d.Reader.Checkpoint()})
}

// openAPI serves the document generated from the route table.
func (s *Server) openAPI(c echo.Context) error {
	return blobConditional(c, s.openapi)
}

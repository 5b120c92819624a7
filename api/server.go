// Package api is the HTTP API of the grant ledger on Echo v4: the one way
// people and programs use the system. Commands are thin handlers (decode,
// authorise, call the command handler, map the error); queries read the
// projections; every error is application/problem+json.
//
// Every route comes from one table (Server.routes) from which the routes
// are registered and the OpenAPI 3.1 document is generated.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/export"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// CommandHandler executes commands and reads aggregates from the event
// store; *command.Handler satisfies it.
type CommandHandler interface {
	// Handle decides and records one command.
	Handle(ctx context.Context, req command.Request) (command.Result, error)
	// ProjectAsOf rebuilds a project as it stood at a past effective time.
	ProjectAsOf(ctx context.Context, projectID string, at time.Time) (aggregates.Project, events.Head, error)
	// ProjectAt and OrganisationAt rebuild a project, an organisation, as
	// they stood at a point of the history on either clock (ASOF-CLOCK).
	ProjectAt(ctx context.Context, projectID string, at events.AsOf) (aggregates.Project, events.Head, error)
	OrganisationAt(ctx context.Context, oid string, at events.AsOf) (aggregates.Portfolio, events.Head, error)
	// History returns every event of one aggregate (Org may be empty).
	History(ctx context.Context, ref events.Ref) ([]events.Envelope, error)
	// Locate returns the organisation owning aggregate kind/id, or a
	// NotFound *apperr.Error.
	Locate(ctx context.Context, kind, id string) (string, error)
}

// Authenticator turns a bearer secret into a principal; *auth.Service
// satisfies it.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (auth.Principal, error)
}

// RatesBook is the rates tables by call year; *rates.Book satisfies it.
type RatesBook interface {
	Years() []int
	Year(callYear int) (*rates.Table, error)
}

// Deps is everything the API needs. Commands, Reader and Tokens are
// required; the rest have defaults.
type Deps struct {
	// Commands executes commands.
	Commands CommandHandler
	// Reader answers queries from the read models.
	Reader projections.Reader
	// Tokens authenticates bearer tokens.
	Tokens Authenticator
	// Sessions keeps the web pages' sessions; nil keeps them in this
	// process's memory when Tokens is an *auth.Service (one instance),
	// else the web sign-in is unavailable.
	Sessions SessionManager
	// MetricsToken, when set, is a bearer secret that may read /metrics
	// (and nothing else); a national-office token may read it too.
	MetricsToken string
	// Rates is the rates book shown by /v1/rates.
	Rates RatesBook
	// Ready reports readiness (JetStream reachable, stream present,
	// projections caught up); nil means always ready.
	Ready func(ctx context.Context) error
	// LastSequence is the stream's last sequence, for the projection lag
	// metric; nil leaves the metric out.
	LastSequence func(ctx context.Context) (uint64, error)
	// Verify verifies the whole event stream (GET /v1/audit/verification);
	// nil answers 503.
	Verify func(ctx context.Context) (events.StreamReport, error)
	// Quarantine lists the events the projector refused (GET
	// /v1/audit/quarantine, the grants_quarantined_events metric, and a
	// "degraded" /readyz while any is open); nil: none.
	Quarantine func(ctx context.Context) ([]projections.QuarantinedEvent, error)
	// KeyRing holds the public keys events are signed with; the
	// verification of one organisation or project checks signatures with
	// it (nil: hash chains only).
	KeyRing *events.KeyRing
	// Events is the event log, for the NDJSON event export and the
	// right-of-access export; nil answers 503 there.
	Events export.Source
	// Personal opens the sealed personal data of a disclosed event export
	// (PD-DISCLOSE-REASON; grants serve's vault); nil leaves them sealed.
	Personal personal.Opener
	// HistoryAt gives the read models as of a past point, for the
	// statistics' at and clock; nil answers 503 when they are asked.
	HistoryAt HistoryAt
	// Clock tells the time (request latency, as-of defaults).
	Clock events.Clock
	// Logger receives request and error logs; nil means slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes bounds JSON request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes bounds CSV uploads (default 16 MiB).
	MaxUploadBytes int64
	// MaxWait bounds the read-your-writes wait of a query (default 5 s).
	MaxWait time.Duration
	// RatePerSecond and Burst limit each token's requests; 0 disables.
	RatePerSecond float64
	Burst         int
	// Version is the build version shown in the OpenAPI document.
	Version string
	// ReadCacheBytes bounds the cache of rendered project reads (status,
	// mobility pages; readcache.go) when Reader keeps project stamps:
	// 0 means DefaultReadCacheBytes, negative disables the cache.
	ReadCacheBytes int64
}

// Server is the HTTP API.
type Server struct {
	d       Deps
	e       *echo.Echo
	log     *slog.Logger
	metrics *metrics
	routes  []Route
	openapi []byte
	limiter *limiter
	pages   *pages
	reads   *readCache
	// seqHeader is the Grants-Sequence value of the last checkpoint read.
	seqHeader seqHeader
	// readyLog logs a readiness failure once (health.go).
	readyLog readinessLog
}

// New builds the server and registers every route.
func New(d Deps) (*Server, error) {
	if d.Commands == nil || d.Reader == nil || d.Tokens == nil {
		return nil, errMissingDeps
	}
	if d.Clock == nil {
		return nil, errMissingClock
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = 1 << 20
	}
	if d.MaxUploadBytes <= 0 {
		d.MaxUploadBytes = 16 << 20
	}
	if d.MaxWait <= 0 {
		d.MaxWait = 5 * time.Second
	}
	if d.Version == "" {
		d.Version = "dev"
	}
	if d.Sessions == nil {
		if svc, ok := d.Tokens.(*auth.Service); ok {
			d.Sessions = svc.Sessions(auth.NewMemorySessionStore(), auth.SessionConfig{})
		}
	}
	if d.ReadCacheBytes == 0 {
		d.ReadCacheBytes = DefaultReadCacheBytes
	}
	s := &Server{d: d, log: d.Logger, reads: newReadCache(d.Reader, d.ReadCacheBytes)}
	s.metrics = newMetrics(lagFunc(d.LastSequence, d.Reader.Checkpoint))
	s.registerQuarantineMetric()
	if d.RatePerSecond > 0 {
		s.limiter = newLimiter(d.RatePerSecond, d.Burst)
	}
	p, err := newPages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.errorHandler
	e.Pre(headAsGet)
	e.Use(s.observe)
	s.e = e
	s.routes = withConsistency(s.routeTable())
	if err := s.register(); err != nil {
		return nil, err
	}
	if s.openapi, err = json.MarshalIndent(buildOpenAPI(s.routes, d.Version), "", "  "); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.e }

// Echo returns the underlying Echo instance (to Start or Shutdown it).
func (s *Server) Echo() *echo.Echo { return s.e }

// Routes returns the route table.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

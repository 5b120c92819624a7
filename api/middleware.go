package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/internal/logbuf"
	"github.com/labstack/echo/v4"
)

var (
	errMissingDeps  = errors.New("api: Deps.Commands, Deps.Reader and Deps.Tokens are required")
	errMissingClock = errors.New("api: Deps.Clock is required")
)

// HeaderRequestID carries the request's ID (taken from the client when it
// sends a sane one); it is also the correlation ID of the events.
const HeaderRequestID = "X-Request-Id"

const (
	ctxPrincipal = "grants.principal"
	ctxRequestID = "grants.request_id"
	ctxRoute     = "grants.route"
	// ctxConsistent marks a request that consistent has served.
	ctxConsistent = "grants.consistent"
)

// observe assigns a request ID, times the request, records the metrics
// and writes the access log line. It wraps everything, the error handler
// included.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := s.d.Clock.Now()
		id := c.Request().Header.Get(HeaderRequestID)
		if !saneID(id) {
			id = newID()
		}
		c.Set(ctxRequestID, id)
		// Assigned in canonical form, the constant value shared: a Set
		// would canonicalise the key and allocate the value's slice on
		// every request.
		h := c.Response().Header()
		h[HeaderRequestID] = []string{id}
		h[headerNoSniff] = noSniff
		err := func() (err error) {
			defer func() {
				if v := recover(); v != nil {
					s.log.Error("panic serving request", "path", c.Request().URL.Path, "request_id", id, "panic", v, "stack", string(debug.Stack()))
					err = apperr.New(apperr.Internal, "internal error")
				}
			}()
			return next(c)
		}()
		if err != nil {
			c.Error(err) // answer now, so the status below is the real one
		}
		route := c.Path()
		if route == "" || c.Get(ctxRoute) == nil {
			route = "unmatched"
		}
		status := c.Response().Status
		d := s.d.Clock.Now().Sub(start)
		s.metrics.observe(route, c.Request().Method, status, d)
		s.accessLog(c.Request().Method, route, status, d, id, c.Response().Size)
		return nil
	}
}

// accessLogCtx marks the access log's lines as routine: a logger over a
// logbuf.Writer (grants serve's) writes them in batches.
var accessLogCtx = logbuf.Later(context.Background())

// accessLog writes the one info line of a request, its duration in
// milliseconds (readable in JSON and text alike). It names the route
// pattern (/v1/projects/:id), never the path with its IDs, and nothing of
// the query, the headers or the bodies: those may hold personal data or
// secrets (names, tokens, session IDs). An unknown route is "unmatched".
func (s *Server) accessLog(method, route string, status int, d time.Duration, id string, bytes int64) {
	writeAccessLine(s.log.Handler(), method, route, status, d, id, bytes)
}

// writeAccessLine hands the access log's line to h as Logger.LogAttrs
// would, without the caller's program counter it looks up on every line
// (runtime.Callers; the line names its route, not its source).
func writeAccessLine(h slog.Handler, method, route string, status int, d time.Duration, id string, bytes int64) {
	if !h.Enabled(accessLogCtx, slog.LevelInfo) {
		return
	}
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("method", method), slog.String("route", route), slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("request_id", id), slog.Int64("bytes", bytes))
	_ = h.Handle(accessLogCtx, r) // as Logger.LogAttrs, which ignores it
}

// requestID returns the request's ID.
func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// principal returns the authenticated caller (zero on public routes).
func principal(c echo.Context) auth.Principal {
	p, _ := c.Get(ctxPrincipal).(auth.Principal)
	return p
}

// guard authenticates the bearer token, applies the rate limit and checks
// that the caller's role is one of the route's.
func (s *Server) guard(r Route) echo.MiddlewareFunc {
	// The route's name as the context keeps it, converted once.
	var op any = r.OperationID
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Set(ctxRoute, op)
			if len(r.Roles) == 0 {
				return next(c)
			}
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			var p auth.Principal
			if h == "" && strings.HasPrefix(r.Path, "/ui/") {
				// A web page: the session cookie, never a token.
				var err error
				if p, err = s.sessionPrincipal(c); err != nil {
					return err
				}
			} else {
				scheme, secret, ok := strings.Cut(h, " ")
				if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
					c.Response().Header().Set("WWW-Authenticate", `Bearer realm="grants"`)
					return apperr.New(apperr.Unauthenticated, "send a bearer token: Authorization: Bearer <token> (made with `grants token create`)")
				}
				secret = strings.TrimSpace(secret)
				if r.OperationID == "metrics" && s.metricsToken(secret) {
					return next(c)
				}
				var err error
				if p, err = s.d.Tokens.Authenticate(c.Request().Context(), secret); err != nil {
					if apperr.CodeOf(err) == apperr.Unauthenticated {
						c.Response().Header().Set("WWW-Authenticate", `Bearer realm="grants", error="invalid_token"`)
					}
					return err
				}
			}
			if s.limiter != nil && !s.limiter.allow(p.TokenID) {
				return apperr.New(apperr.TooManyRequests, "too many requests for this token; slow down and retry after a second")
			}
			if !p.Is(r.Roles...) {
				e := apperr.New(apperr.Forbidden, "the %s role may not %s; this needs the role %s", p.Role, lowerFirst(r.Summary), strings.Join(r.Roles, " or "))
				if r.Command != "" {
					// Who may issue which command is rule CORE-TASKS.
					e.Rule = "CORE-TASKS"
				}
				return e
			}
			c.Set(ctxPrincipal, p)
			return next(c)
		}
	}
}

// limitBody refuses a declared body larger than max before reading it, and
// bounds the reading of an undeclared one.
func limitBody(max int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > max {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "the request body is "+itoa64(req.ContentLength)+" bytes; at most "+itoa64(max)+" are accepted")
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, max)
			return next(c)
		}
	}
}

// register adds every route of the table to Echo, and the problem+json
// answers for unknown routes.
func (s *Server) register() error {
	seen := map[string]bool{}
	for _, r := range s.routes {
		key := r.Method + " " + r.Path
		if seen[key] || seen["op:"+r.OperationID] {
			return errors.New("api: duplicate route " + key + " / " + r.OperationID)
		}
		seen[key], seen["op:"+r.OperationID] = true, true
		mw := []echo.MiddlewareFunc{s.guard(r), s.checkParams(r)}
		switch {
		case r.RequestType != "":
			mw = append(mw, limitBody(s.d.MaxUploadBytes))
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			mw = append(mw, limitBody(s.d.MaxBodyBytes))
		}
		if isWebForm(r) {
			mw = append(mw, s.webForm(r))
		}
		// The route's middleware is chained here, once: given to Echo,
		// it would be chained again on every request (Echo's add),
		// allocating a closure per middleware per request.
		h := r.Handler
		for i := len(mw) - 1; i >= 0; i-- {
			h = mw[i](h)
		}
		s.e.Add(r.Method, r.Path, h)
	}
	return nil
}

func saneID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// newID returns a new random request ID (24 hex digits), the string its
// one allocation.
func newID() string {
	var b [12]byte
	var h [24]byte
	_, _ = rand.Read(b[:])
	hex.Encode(h[:], b[:])
	return string(h[:])
}

// headerNoSniff and noSniff are the X-Content-Type-Options header of every
// answer, in canonical form; the value is shared, never written to.
const headerNoSniff = "X-Content-Type-Options"

var noSniff = []string{"nosniff"}

func lowerFirst(s string) string {
	if s == "" {
		return "do this"
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// headAsGet serves HEAD as the GET of the same resource (RFC 9110 9.3.2):
// the router and the handler see a GET, the body is dropped, and the
// request is a HEAD again when net/http finishes it.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodHead {
			return next(c)
		}
		r.Method = http.MethodGet // Echo routes on this very request
		defer func() { r.Method = http.MethodHead }()
		res := c.Response()
		res.Writer = headWriter{res.Writer}
		err := next(c)
		if err != nil {
			c.Error(err) // answer while the body is still dropped
		}
		return nil
	}
}

// headWriter drops the body of a HEAD answer.
type headWriter struct {
	http.ResponseWriter
}

// Write discards p.
func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap gives http.ResponseController the underlying writer.
func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// SessionManager keeps the web pages' server-side sessions;
// *auth.Sessions satisfies it.
type SessionManager interface {
	// Start checks a token secret and opens a session; it returns the
	// session ID that only the browser keeps.
	Start(ctx context.Context, secret string) (string, auth.Session, auth.Principal, error)
	// Check returns the live session with ID id, or Unauthenticated.
	Check(ctx context.Context, id string) (auth.Session, auth.Principal, error)
	// End signs the session with ID id out.
	End(ctx context.Context, id string) error
	// List returns the live sessions.
	List(ctx context.Context) ([]auth.Session, error)
	// Revoke ends the session with the public handle given.
	Revoke(ctx context.Context, handle string) (auth.Session, error)
	// Expires tells when a session ends unless it is used.
	Expires(s auth.Session) time.Time
	// Config returns the lifetimes in force.
	Config() auth.SessionConfig
}

// Cookies of the web pages. The session cookie holds only the random
// session ID; the sign-in form's cookie only its anti-forgery token.
const (
	sessionCookie   = "grants_session"
	loginCSRFCookie = "grants_login_csrf"
	loginPath       = "/ui/login"
)

const (
	ctxSession = "grants.session"
	ctxForm    = "grants.form"
)

// SessionInfo is a web session as the national office sees it: never its
// ID or anti-forgery token.
type SessionInfo struct {
	// ID is the session's public handle, for revoking it.
	ID string `json:"id"`
	// TokenID is the token that signed in, with its name, role and org.
	TokenID string `json:"token_id"`
	Name    string `json:"name,omitempty"`
	Role    string `json:"role"`
	Org     string `json:"org,omitempty"`
	// CreatedAt is the sign-in; LastSeenAt the last use (to the minute).
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is when the session ends unless it is used again.
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) sessionInfo(ses auth.Session) SessionInfo {
	return SessionInfo{ID: ses.ID, TokenID: ses.TokenID, Name: ses.Name, Role: ses.Role, Org: ses.Org,
		CreatedAt: ses.CreatedAt, LastSeenAt: ses.LastSeen, ExpiresAt: s.d.Sessions.Expires(ses)}
}

// sessionRoutes are the sessions' routes: sign-out, and the national
// office's list and revocation.
func (s *Server) sessionRoutes() []Route {
	office := []string{aggregates.RoleNationalOffice}
	return []Route{
		{Method: http.MethodPost, Path: "/ui/logout", OperationID: "webLogout", Summary: "Sign out of the web pages (ends the session)", Tag: tagWeb, Roles: everyone, RequestType: "application/x-www-form-urlencoded", ResponseType: "text/html", Status: http.StatusSeeOther, Handler: s.webLogout},
		{Method: http.MethodGet, Path: "/v1/sessions", OperationID: "listSessions", Summary: "List the live web sessions", Tag: tagOps, Roles: office, Response: []SessionInfo{}, Handler: s.listSessions},
		{Method: http.MethodDelete, Path: "/v1/sessions/:sid", OperationID: "revokeSession", Summary: "Revoke a web session", Tag: tagOps, Roles: office, Response: SessionInfo{}, Handler: s.revokeSession},
	}
}

func (s *Server) listSessions(c echo.Context) error {
	if s.d.Sessions == nil {
		return c.JSON(http.StatusOK, []SessionInfo{})
	}
	all, err := s.d.Sessions.List(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]SessionInfo, 0, len(all))
	for _, ses := range all {
		out = append(out, s.sessionInfo(ses))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) revokeSession(c echo.Context) error {
	if s.d.Sessions == nil {
		return apperr.New(apperr.NotFound, "no session has ID %q", c.Param("sid"))
	}
	ses, err := s.d.Sessions.Revoke(c.Request().Context(), c.Param("sid"))
	if err != nil {
		return err
	}
	p := principal(c)
	s.log.Info("web session revoked", "session", ses.ID, "token", ses.TokenID, "by", p.UserID(), "request_id", requestID(c))
	return c.JSON(http.StatusOK, s.sessionInfo(ses))
}

// sessionPrincipal authenticates a web request by its session cookie.
func (s *Server) sessionPrincipal(c echo.Context) (auth.Principal, error) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || s.d.Sessions == nil {
		return auth.Principal{}, apperr.New(apperr.Unauthenticated, "sign in at %s, or send a bearer token: Authorization: Bearer <token>", loginPath)
	}
	ses, p, err := s.d.Sessions.Check(c.Request().Context(), ck.Value)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Unauthenticated {
			s.clearCookie(c, sessionCookie, "/")
		}
		return auth.Principal{}, err
	}
	c.Set(ctxSession, ses)
	return p, nil
}

// session returns the request's web session, if it came with one.
func session(c echo.Context) (auth.Session, bool) {
	ses, ok := c.Get(ctxSession).(auth.Session)
	return ses, ok
}

// setCookie sets an HttpOnly cookie, Secure when the request came over TLS.
func (s *Server) setCookie(c echo.Context, name, value, path string, maxAge time.Duration, same http.SameSite) {
	c.SetCookie(&http.Cookie{Name: name, Value: value, Path: path, MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: c.Scheme() == "https", SameSite: same})
}

// clearCookie tells the browser to forget a cookie.
func (s *Server) clearCookie(c echo.Context, name, path string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: c.Scheme() == "https", SameSite: http.SameSiteLaxMode})
}

// webForm guards every state-changing web request: it must come from this
// site (Origin, Sec-Fetch-Site) and carry the anti-forgery token: the
// session's, or for the sign-in form the one of its cookie (double
// submit). It parses the form for the handler.
func (s *Server) webForm(r Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := sameSite(c); err != nil {
				return err
			}
			body, err := readBody(c)
			if err != nil {
				return err
			}
			form, err := parseWebBody(c, body)
			if err != nil {
				return err
			}
			var want string
			if len(r.Roles) == 0 {
				if ck, err := c.Cookie(loginCSRFCookie); err == nil {
					want = ck.Value
				}
			} else if ses, ok := session(c); ok {
				want = ses.CSRF
			} else {
				// Authenticated by an Authorization header, which no
				// browser adds by itself to a forged request.
				c.Set(ctxForm, form)
				return next(c)
			}
			got := form["csrf"]
			if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
				return &apperr.Error{Code: apperr.Forbidden, Field: "csrf",
					Message: "the form's anti-forgery token is missing or wrong; reload the page and send the form again"}
			}
			c.Set(ctxForm, form)
			return next(c)
		}
	}
}

// sameSite refuses a request that a browser says came from another site.
func sameSite(c echo.Context) error {
	r := c.Request()
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return &apperr.Error{Code: apperr.Forbidden, Field: "Sec-Fetch-Site",
			Message: "a form of the web pages is only accepted from the web pages themselves, not from " + site}
	}
	if o := r.Header.Get("Origin"); o != "" {
		// The host alone: behind a proxy that ends TLS the scheme seen
		// here is not the browser's (the proxy must pass Host on).
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || u.Host != r.Host {
			return &apperr.Error{Code: apperr.Forbidden, Field: "Origin",
				Message: "a form of the web pages is only accepted from this site"}
		}
	}
	return nil
}

// formOf returns the form webForm parsed.
func formOf(c echo.Context) map[string]string {
	f, _ := c.Get(ctxForm).(map[string]string)
	return f
}

// webLogout ends the session and forgets its cookie.
func (s *Server) webLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" && s.d.Sessions != nil {
		if err := s.d.Sessions.End(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie, "/")
	q := url.Values{"signed_out": {"1"}}
	if l := formOf(c)["lang"]; i18n.Supported(l) {
		q.Set("lang", l)
	}
	return c.Redirect(http.StatusSeeOther, withQuery(loginPath, q))
}

// isWebForm tells a state-changing route of the web pages.
func isWebForm(r Route) bool {
	return strings.HasPrefix(r.Path, "/ui/") && r.Method != http.MethodGet && r.Method != http.MethodHead
}

package api

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the server-rendered web pages.
type pages struct {
	t *template.Template
}

func newPages() (*pages, error) {
	t, err := template.New("").Funcs(webFuncs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &pages{t: t}, nil
}

// pageData is what every page template receives.
type pageData struct {
	L     map[string]string
	Lang  string
	Path  string
	Who   string
	Role  string
	Title string
	Data  any
	// Nav is the menu of the user's role; Langs the language switch.
	Nav   []navItem
	Langs []langLink
	// CSRF is the session's anti-forgery token, for the sign-out form.
	CSRF string
}

// langCookie keeps the language the user chose with the switch.
const langCookie = "grants_lang"

// language picks the page's language: ?lang= (which the switch sets and
// a cookie keeps), then the cookie, then Accept-Language with its
// q-values; English when nothing fits.
func language(c echo.Context) string {
	if l := c.QueryParam("lang"); i18n.Supported(l) {
		return l
	}
	if ck, err := c.Cookie(langCookie); err == nil && i18n.Supported(ck.Value) {
		return ck.Value
	}
	return i18n.Match(c.Request().Header.Get("Accept-Language"))
}

// rememberLanguage makes a language chosen with ?lang= stick.
func (s *Server) rememberLanguage(c echo.Context) {
	s.keepLanguage(c, c.QueryParam("lang"))
}

// keepLanguage sets the language cookie to l (a supported language).
func (s *Server) keepLanguage(c echo.Context, l string) {
	if !i18n.Supported(l) {
		return
	}
	if ck, err := c.Cookie(langCookie); err == nil && ck.Value == l {
		return
	}
	c.SetCookie(&http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: c.Scheme() == "https", SameSite: http.SameSiteLaxMode})
}

// wantsPage tells a browser asking for a web page, which gets an error as
// a page too rather than as problem+json.
func wantsPage(c echo.Context) bool {
	r := c.Request()
	return strings.HasPrefix(r.URL.Path, "/ui/") && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// renderProblem shows problem p as a page with the problem's status.
func (s *Server) renderProblem(c echo.Context, p Problem) error {
	return s.renderStatus(c, p.Status, "error.html", "error", p)
}

// render writes a page.
func (s *Server) render(c echo.Context, name, titleKey string, data any) error {
	return s.renderStatus(c, http.StatusOK, name, titleKey, data)
}

// renderStatus writes a page with the given status.
func (s *Server) renderStatus(c echo.Context, status int, name, titleKey string, data any) error {
	lang := language(c)
	s.rememberLanguage(c)
	l := i18n.Catalogue(lang)
	pd := pageData{L: l, Lang: lang, Path: c.Request().URL.Path, Title: i18n.T(lang, titleKey), Data: data, Langs: langLinks(c, lang)}
	if p := principal(c); p.TokenID != "" {
		pd.Who = p.UserID()
		pd.Role = p.Role
		pd.Nav = navFor(p, lang, pd.Path)
	}
	if ses, ok := session(c); ok {
		pd.CSRF = ses.CSRF
	}
	var b strings.Builder
	if err := s.pages.t.ExecuteTemplate(&b, name, pd); err != nil {
		return apperr.Wrap(apperr.Internal, err, "internal error")
	}
	h := c.Response().Header()
	h.Set("Content-Language", lang)
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Language, Cookie")
	return c.HTML(status, b.String())
}

// pageCSP lets the pages use only their own style sheet and script.
const pageCSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// webRoutes are the pages' routes, in the same table as the API's.
func (s *Server) webRoutes() []Route {
	html := "text/html"
	lang := langParam()
	return []Route{
		{Method: http.MethodGet, Path: "/ui/login", OperationID: "webLogin", Summary: "Sign in to the web pages with a token", Tag: tagWeb, ResponseType: html, Query: lang, Handler: s.webLoginForm},
		{Method: http.MethodPost, Path: "/ui/login", OperationID: "webLoginSubmit", Summary: "Check the token and open a web session (the cookie holds only the session ID)", Tag: tagWeb, RequestType: "application/x-www-form-urlencoded", ResponseType: html, Status: http.StatusSeeOther, Handler: s.webLogin},
		{Method: http.MethodGet, Path: "/ui/organisations/:oid", OperationID: "webOrganisation", Summary: "Web page: an organisation's status with its projects and budgets", Tag: tagWeb, Roles: everyone, ResponseType: html, Query: lang, Handler: s.webOrganisation},
		{Method: http.MethodGet, Path: "/ui/organisations/:oid/history", OperationID: "webOrganisationHistory", Summary: "Web page: the audit history of an organisation", Tag: tagWeb, Roles: reporters, ResponseType: html, Query: lang, Handler: s.webOrganisationHistory},
		{Method: http.MethodGet, Path: "/ui/projects/:id", OperationID: "webProject", Summary: "Web page: a project's status with its budget and mobilities", Tag: tagWeb, Roles: everyone, ResponseType: html, Query: lang, Handler: s.webProject},
		{Method: http.MethodGet, Path: "/ui/projects/:id/history", OperationID: "webProjectHistory", Summary: "Web page: the audit history of a project", Tag: tagWeb, Roles: reporters, ResponseType: html, Query: lang, Handler: s.webProjectHistory},
	}
}

// loginCSRFLifetime bounds how long a sign-in form may be sent.
const loginCSRFLifetime = time.Hour

// webLoginForm shows the sign-in form with a fresh anti-forgery token,
// also set in a cookie (double submit).
func (s *Server) webLoginForm(c echo.Context) error {
	// A form open in another tab keeps working: the token is reused.
	var csrf string
	if ck, err := c.Cookie(loginCSRFCookie); err == nil && len(ck.Value) == 32 && events.ValidToken(ck.Value) {
		csrf = ck.Value
	} else if csrf, err = auth.NewRandom(24); err != nil {
		return apperr.Wrap(apperr.Internal, err, "internal error")
	}
	s.setCookie(c, loginCSRFCookie, csrf, loginPath, loginCSRFLifetime, http.SameSiteStrictMode)
	return s.render(c, "login.html", "login", loginData{Next: c.QueryParam("next"), SignedIn: c.QueryParam("signed_in") == "1",
		SignedOut: c.QueryParam("signed_out") == "1", CSRF: csrf})
}

// webLogin checks the token and opens a server-side session: the
// HttpOnly cookie holds only the session's random ID, never the token.
func (s *Server) webLogin(c echo.Context) error {
	if s.d.Sessions == nil {
		return apperr.New(apperr.Unavailable, "the web sign-in is not configured on this server")
	}
	form := formOf(c)
	tok := strings.TrimSpace(form["token"])
	if old, err := c.Cookie(sessionCookie); err == nil && old.Value != "" {
		_ = s.d.Sessions.End(c.Request().Context(), old.Value) // a new sign-in replaces the session
	}
	id, _, p, err := s.d.Sessions.Start(c.Request().Context(), tok)
	if err != nil {
		if apperr.CodeOf(err) != apperr.Unauthenticated || !wantsPage(c) {
			return err
		}
		// A person who mistyped the token gets the form again, told why.
		return s.renderStatus(c, http.StatusUnauthorized, "login.html", "login",
			loginData{Next: form["next"], Error: apperr.As(err).Message, CSRF: form["csrf"]})
	}
	s.setCookie(c, sessionCookie, id, "/", s.d.Sessions.Config().Max, http.SameSiteLaxMode)
	s.keepLanguage(c, form["lang"])
	s.clearCookie(c, loginCSRFCookie, loginPath)
	s.log.Info("web session started", "user", p.UserID(), "role", p.Role, "request_id", requestID(c))
	next := form["next"]
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "//") {
		next = landing(p, form["lang"])
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// landing is where a sign-in without a next page goes: the home page of
// the user's role (its language kept).
func landing(_ auth.Principal, lang string) string {
	q := url.Values{}
	if i18n.Supported(lang) {
		q.Set("lang", lang)
	}
	return withQuery(homePath, q)
}

// withQuery appends the query q (if any) to path.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// word translates a status or category code with the page's labels,
// falling back to the code itself.
func word(l map[string]string, prefix, code string) string {
	if w, ok := l[prefix+code]; ok {
		return w
	}
	return code
}

type loginData struct {
	Next      string
	SignedIn  bool
	SignedOut bool
	Error     string
	CSRF      string
}

func (s *Server) webOrganisation(c echo.Context) error {
	oid := c.Param("oid")
	if err := visibleOrg(c, oid); err != nil {
		return err
	}
	st, err := s.statusOf(c.Request().Context(), oid)
	if err != nil {
		return err
	}
	return s.render(c, "organisation.html", "organisation", st)
}

type webHistoryData struct {
	Subject string
	Back    string
	Page    HistoryPage
	// Summaries are the entries' summaries in the page's language, by
	// event ID (rendered from the events themselves).
	Summaries map[string]string
}

func (s *Server) webProjectHistory(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.webHistory(c, projections.AuditFilter{AggregateKind: "project", AggregateID: pv.ID}, pv.ID, "/ui/projects/"+pv.ID)
}

func (s *Server) webOrganisationHistory(c echo.Context) error {
	oid := c.Param("oid")
	if err := visibleOrg(c, oid); err != nil {
		return err
	}
	if _, err := s.d.Reader.Organisation(c.Request().Context(), oid); err != nil {
		return sameNotFound(err, aggregates.KindOrganisation, oid)
	}
	return s.webHistory(c, projections.AuditFilter{Org: oid}, oid, "/ui/organisations/"+oid)
}

func (s *Server) webHistory(c echo.Context, f projections.AuditFilter, subject, back string) error {
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	f.Page = pg
	page, err := s.d.Reader.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	hp := historyOf(page)
	return s.render(c, "history.html", "history", webHistoryData{Subject: subject, Back: back, Page: hp,
		Summaries: s.eventSummaries(c.Request().Context(), language(c), hp)})
}

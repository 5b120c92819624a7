package api

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/rulebook"
	"github.com/erasmus-ledger/grants/api/auth"
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
	t, err := template.New("").Funcs(template.FuncMap{
		"euros": Euros,
		"word":  word,
		"date":  func(s string) string { return s },
		"ruleTitle": func(id, lang string) string {
			r, ok := rulebook.Lookup(id)
			if !ok {
				return ""
			}
			l, _ := rulebook.ParseLang(lang)
			t, _ := r.In(l)
			return t.Title
		},
	}).ParseFS(templateFS, "templates/*.html")
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
	Title string
	Data  any
	// CSRF is the session's anti-forgery token, for the sign-out form.
	CSRF string
}

// language picks Finnish or English from ?lang= or Accept-Language.
func language(c echo.Context) string {
	switch l := c.QueryParam("lang"); l {
	case "fi", "en":
		return l
	}
	if strings.HasPrefix(strings.ToLower(c.Request().Header.Get("Accept-Language")), "fi") {
		return "fi"
	}
	return "en"
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
	l := labels[lang]
	pd := pageData{L: l, Lang: lang, Path: c.Request().URL.Path, Title: l[titleKey], Data: data}
	if p := principal(c); p.TokenID != "" {
		pd.Who = p.UserID() + " (" + p.Role + ")"
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
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	return c.HTML(status, b.String())
}

// webRoutes are the pages' routes, in the same table as the API's.
func (s *Server) webRoutes() []Route {
	html := "text/html"
	lang := []Param{{Name: "lang", Description: "en or fi (default from Accept-Language)"}}
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
	s.clearCookie(c, loginCSRFCookie, loginPath)
	s.log.Info("web session started", "user", p.UserID(), "role", p.Role, "request_id", requestID(c))
	next := form["next"]
	if !strings.HasPrefix(next, "/ui/") || strings.HasPrefix(next, "//") {
		next = landing(p, form["lang"])
	}
	return c.Redirect(http.StatusSeeOther, next)
}

// landing is where a sign-in without a next page goes: a beneficiary to
// its organisation's page, anyone else to a page saying how to go on.
func landing(p auth.Principal, lang string) string {
	q := url.Values{}
	if lang == "fi" || lang == "en" {
		q.Set("lang", lang)
	}
	if p.Role == aggregates.RoleBeneficiary && p.Org != "" {
		return withQuery("/ui/organisations/"+url.PathEscape(p.Org), q)
	}
	q.Set("signed_in", "1")
	return withQuery("/ui/login", q)
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

type webProjectData struct {
	Status     ProjectStatus
	Mobilities []projections.MobilityView
}

func (s *Server) webProject(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	mobs, err := s.allMobilities(ctx, projections.MobilityFilter{ProjectID: pv.ID, IncludeCancelled: true})
	if err != nil {
		return err
	}
	return s.render(c, "project.html", "project", webProjectData{Status: ProjectStatus{Project: pv, Budget: computeBudget(pv, mobs)}, Mobilities: mobs})
}

func (s *Server) webOrganisation(c echo.Context) error {
	oid := c.Param("oid")
	if err := visibleOrg(c, oid); err != nil {
		return err
	}
	ctx := c.Request().Context()
	ov, err := s.d.Reader.Organisation(ctx, oid)
	if err != nil {
		return sameNotFound(err, aggregates.KindOrganisation, oid)
	}
	st, err := s.statusOf(ctx, ov)
	if err != nil {
		return err
	}
	return s.render(c, "organisation.html", "organisation", st)
}

type webHistoryData struct {
	Subject string
	Back    string
	Page    HistoryPage
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
	return s.render(c, "history.html", "history", webHistoryData{Subject: subject, Back: back, Page: historyOf(page)})
}

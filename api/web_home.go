package api

import (
	"context"
	"embed"
	"net/http"
	"sort"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

//go:embed assets/*
var assetFS embed.FS

// homeRoutes are the root, the landing pages, the lists and the assets.
func (s *Server) homeRoutes() []Route {
	html := "text/html"
	lang := langParam()
	G := http.MethodGet
	listQ := append(langParam(), Param{Name: "q", Description: "search: ID, title or name"}, Param{Name: "status"}, Param{Name: "action"},
		Param{Name: "call_year", Type: "integer"}, Param{Name: "country"}, Param{Name: "overdue", Type: "boolean"}, Param{Name: "cursor"})
	return []Route{
		{Method: G, Path: "/", OperationID: "webRoot", Summary: "Lead a browser to the sign-in page or to the home page of its role", Tag: tagWeb, ResponseType: html, Status: http.StatusSeeOther, Query: lang, Handler: s.webRoot},
		{Method: G, Path: "/ui/assets/:name", OperationID: "webAsset", Summary: "The web pages' style sheet and script", Tag: tagWeb, ResponseType: "text/css", Handler: s.webAsset},
		{Method: G, Path: homePath, OperationID: "webHome", Summary: "Web page: the home of the user's role (a beneficiary's organisation, projects and what is due; the national office's work queues; the analyst's statistics)", Tag: tagWeb, Roles: everyone, ResponseType: html, Query: lang, Handler: s.webHome},
		{Method: G, Path: "/ui/projects", OperationID: "webProjects", Summary: "Web page: projects with filters and search", Tag: tagWeb, Roles: everyone, ResponseType: html, Query: listQ, Handler: s.webProjects},
		{Method: G, Path: "/ui/organisations", OperationID: "webOrganisations", Summary: "Web page: organisations with filters and search", Tag: tagWeb, Roles: officeAnalysts, ResponseType: html, Query: listQ, Handler: s.webOrganisations},
	}
}

// webRoot sends a signed-in browser to its home page, anyone else to the
// sign-in page.
func (s *Server) webRoot(c echo.Context) error {
	q := c.Request().URL.RawQuery
	if q != "" {
		q = "?" + q
	}
	if _, err := s.sessionPrincipal(c); err == nil {
		return c.Redirect(http.StatusSeeOther, homePath+q)
	}
	return c.Redirect(http.StatusSeeOther, loginPath+q)
}

// webAsset serves the embedded style sheet and script.
func (s *Server) webAsset(c echo.Context) error {
	name := c.Param("name")
	var typ string
	switch {
	case strings.HasSuffix(name, ".css"):
		typ = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		typ = "text/javascript; charset=utf-8"
	default:
		return apperr.New(apperr.NotFound, "no asset %q", name)
	}
	b, err := assetFS.ReadFile("assets/" + name)
	if err != nil {
		return apperr.New(apperr.NotFound, "no asset %q", name)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, typ, b)
}

// webHome is the landing page of the user's role.
func (s *Server) webHome(c echo.Context) error {
	p := principal(c)
	switch p.Role {
	case aggregates.RoleBeneficiary:
		return s.webBeneficiaryHome(c, p.Org)
	case aggregates.RoleNationalOffice:
		return s.webQueues(c)
	}
	return s.webStatistics(c)
}

// dueItem is one thing a beneficiary must do or expect.
type dueItem struct {
	ProjectID, Key, Rule, DueOn string
	AmountCents                 int64
	Overdue                     bool
}

// beneficiaryHome is a beneficiary's landing page.
type beneficiaryHome struct {
	Status OrganisationStatus
	Due    []dueItem
	Calls  []CallRoundView
}

func (s *Server) webBeneficiaryHome(c echo.Context, oid string) error {
	ctx := c.Request().Context()
	st, err := s.statusOf(ctx, oid)
	if err != nil {
		return err
	}
	home := beneficiaryHome{Status: st}
	today := aggregates.OfficeDay(s.d.Clock.Now())
	for _, ps := range st.Projects {
		pv := ps.Project
		if due, ok := finalReportDue(pv); ok {
			home.Due = append(home.Due, dueItem{ProjectID: pv.ID, Key: "due-final-report", Rule: "LIFE-REPORT-DUE", DueOn: due, Overdue: due < today.String()})
		}
		if pv.Status == aggregates.StatusOngoing {
			if _, ok := s.d.Reader.(projections.PlanReader); ok {
				sch, err := s.schedule(ctx, pv, today)
				if err != nil {
					return err
				}
				for _, in := range sch.Instalments {
					if in.PaidCents < in.AmountCents {
						home.Due = append(home.Due, dueItem{ProjectID: pv.ID, Key: "due-payment", DueOn: in.DueDate.String(), AmountCents: in.AmountCents - in.PaidCents, Overdue: in.Status == "overdue"})
					}
				}
			}
		}
	}
	sort.Slice(home.Due, func(i, j int) bool { return home.Due[i].DueOn < home.Due[j].DueOn })
	home.Calls = s.openCalls(ctx)
	return s.render(c, "home.html", "home", home)
}

// openCalls are the call rounds open now.
func (s *Server) openCalls(ctx context.Context) []CallRoundView {
	d, err := s.referenceDomain(ctx)
	if err != nil || d == nil {
		d = aggregates.NewDomain(nil, aggregates.Policy{})
	}
	now := s.d.Clock.Now().UTC()
	var out []CallRoundView
	for _, dl := range d.Deadlines() {
		if now.After(dl.At()) || now.Before(dl.At().AddDate(-1, 0, 0)) {
			continue
		}
		out = append(out, CallRoundView{CallYear: dl.CallYear, Round: dl.Round, Action: dl.Actions[0], Fields: dl.Fields, Deadline: dl.Day, ClosesAt: dl.At().UTC(), Open: true})
	}
	return out
}

// projectList is the projects page.
type projectList struct {
	Q, Status, Action, Year string
	Overdue                 bool
	Statuses, Actions       []string
	Items                   []projections.ProjectView
	Next                    string
}

func (s *Server) webProjects(c echo.Context) error {
	p := principal(c)
	f := projections.ProjectFilter{Action: c.QueryParam("action"), Status: c.QueryParam("status"), Overdue: c.QueryParam("overdue") == "true"}
	if p.Role == aggregates.RoleBeneficiary {
		f.Org = p.Org
	}
	if f.Status != "" && !contains(projectStatuses, f.Status) {
		f.Status = ""
	}
	if y, err := intParam(c, "call_year"); err == nil {
		f.CallYear = y
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	f.Limit = projections.MaxLimit
	f.Cursor = c.QueryParam("cursor")
	page, err := s.d.Reader.Projects(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := projectList{Q: q, Status: f.Status, Action: f.Action, Overdue: f.Overdue, Statuses: projectStatuses, Actions: aggregates.Actions(), Next: page.NextCursor}
	if f.CallYear != 0 {
		out.Year = c.QueryParam("call_year")
	}
	for _, pv := range page.Items {
		if q == "" || matches(q, pv.ID, pv.Title, pv.Org) {
			out.Items = append(out.Items, pv)
		}
	}
	return s.render(c, "projects.html", "projects", out)
}

// orgList is the organisations page.
type orgList struct {
	Q, Country string
	Items      []projections.OrganisationView
	Next       string
}

func (s *Server) webOrganisations(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	country := strings.ToUpper(strings.TrimSpace(c.QueryParam("country")))
	page, err := s.d.Reader.Organisations(c.Request().Context(), projections.OrganisationFilter{Country: country,
		Page: projections.Page{Limit: projections.MaxLimit, Cursor: c.QueryParam("cursor")}})
	if err != nil {
		return err
	}
	out := orgList{Q: q, Country: country, Next: page.NextCursor}
	for _, ov := range page.Items {
		if q == "" || matches(q, ov.OID, ov.Name, ov.City) {
			out.Items = append(out.Items, ov)
		}
	}
	return s.render(c, "organisations.html", "organisations", out)
}

// matches tells whether any of the fields holds q, ignoring case.
func matches(q string, fields ...string) bool {
	q = strings.ToLower(q)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// finalReportDue is the day an ongoing project's final report is due
// (LIFE-REPORT-DUE, from the domain's own reckoning).
func finalReportDue(pv projections.ProjectView) (string, bool) {
	if pv.Status != aggregates.StatusOngoing || pv.EndDate == "" {
		return "", false
	}
	end, err := aggregates.ParseDate(pv.EndDate)
	if err != nil {
		return "", false
	}
	return aggregates.Project{EndDate: end}.FinalReportDueOn().String(), true
}

package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// projectCommands are the project commands a person performs with a web
// form (mobilities have their own forms), in the order of a project's
// life, with the statuses in which the project page offers each.
var projectCommands = []struct {
	op       string
	statuses []string
}{
	{"withdrawApplication", []string{aggregates.StatusSubmitted, aggregates.StatusEligible}},
	{"assessEligibility", []string{aggregates.StatusSubmitted}},
	{"decideApplication", []string{aggregates.StatusEligible, aggregates.StatusReserve}},
	{"signGrantAgreement", []string{aggregates.StatusApproved}},
	{"recordPayment", []string{aggregates.StatusOngoing, aggregates.StatusReportLocked, aggregates.StatusReportAssessed}},
	{"amendProject", []string{aggregates.StatusOngoing}},
	{"requestUkraineException", []string{aggregates.StatusOngoing}},
	{"decideUkraineException", []string{aggregates.StatusOngoing}},
	{"requestInclusionSupport", []string{aggregates.StatusOngoing}},
	{"decideInclusionSupport", nil}, // offered next to each pending request
	{"submitInterimReport", []string{aggregates.StatusOngoing}},
	{"submitFinalReport", []string{aggregates.StatusOngoing}},
	{"assessFinalReport", []string{aggregates.StatusReportLocked}},
	{"closeProject", []string{aggregates.StatusReportAssessed}},
	{"terminateProject", []string{aggregates.StatusOngoing, aggregates.StatusApproved}},
}

// orgCommands are the organisation commands with a web form: the
// application in an open call and the accreditation's.
var orgCommands = []string{"submitApplication", "applyForAccreditation", "decideAccreditation", "withdrawAccreditation"}

// cmdField is one input of a command form, or a fieldset of them: Name
// is the input's name (its path in the command: "partners[0].name"),
// Label the field's JSON name its label is found by, Item its number in a
// list of plain values (the Nth extra activity).
type cmdField struct {
	Name, Label, Kind, Value string
	Options                  []string
	Error                    string
	Item                     int
	// Sub are the fields of a group (Kind "group"); Rows the rows of a
	// repeatable fieldset (Kind "rows").
	Sub  []cmdField
	Rows []cmdRow
}

// cmdRow is one row of a repeatable fieldset.
type cmdRow struct {
	Index  int
	Path   string
	Fields []cmdField
}

// commandForm is a generic command's form.
type commandForm struct {
	// ProjectID or OID is the form's subject; Back its page.
	ProjectID, OID, Back string
	Op, Action, Check    string
	Fields               []cmdField
	Reason               string
	Notice               string
}

// commandLink is a command the project page offers.
type commandLink struct{ Op, Href string }

// commandFormRoutes are the generic command forms of a project.
func (s *Server) commandFormRoutes() []Route {
	rep := []string{aggregates.RoleBeneficiary, aggregates.RoleNationalOffice}
	form := "application/x-www-form-urlencoded"
	return []Route{
		{Method: http.MethodGet, Path: "/ui/projects/:id/commands/:op", OperationID: "webCommandForm", Summary: "Web page: the form of a project command (eligibility, decision, agreement, payment, amendment, Ukraine exception, support, reports, closure), checked as the user types", Tag: tagWeb, Roles: rep, ResponseType: "text/html", Query: langParam(), Handler: s.webCommandForm},
		{Method: http.MethodPost, Path: "/ui/projects/:id/commands/:op", OperationID: "webCommandSubmit", Summary: "Issue a project command from its web form, with its reason", Tag: tagWeb, Roles: rep, RequestType: form, ResponseType: "text/html", Status: http.StatusSeeOther, Handler: s.webCommandSubmit},
		{Method: http.MethodPost, Path: "/ui/projects/:id/commands/:op/check", OperationID: "webCommandCheck", Summary: "Dry-run a project command's web form", Tag: tagWeb, Roles: rep, RequestType: form, Response: WebCheck{}, Handler: s.webCommandCheck},
		{Method: http.MethodGet, Path: "/ui/organisations/:oid/commands/:command", OperationID: "webOrgCommandForm", Summary: "Web page: the form of an organisation command (an application in an open call, an accreditation), checked as the user types", Tag: tagWeb, Roles: rep, ResponseType: "text/html",
			Query: append(langParam(), Param{Name: "action"}, Param{Name: "call_year", Type: "integer"}, Param{Name: "round", Type: "integer"}, Param{Name: "accreditation_id"}), Handler: s.webCommandForm},
		{Method: http.MethodPost, Path: "/ui/organisations/:oid/commands/:command", OperationID: "webOrgCommandSubmit", Summary: "Issue an organisation command from its web form", Tag: tagWeb, Roles: rep, RequestType: form, ResponseType: "text/html", Status: http.StatusSeeOther, Handler: s.webCommandSubmit},
		{Method: http.MethodPost, Path: "/ui/organisations/:oid/commands/:command/check", OperationID: "webOrgCommandCheck", Summary: "Dry-run an organisation command's web form", Tag: tagWeb, Roles: rep, RequestType: form, Response: WebCheck{}, Handler: s.webCommandCheck},
	}
}

// commandRouteOf finds the API route of a project command's operation
// (an organisation's when org is true).
func (s *Server) commandRouteOf(op string, org bool) (Route, bool) {
	known := contains(orgCommands, op)
	if !org {
		known = false
		for _, pc := range projectCommands {
			known = known || pc.op == op
		}
	}
	if known {
		for _, r := range s.routes {
			if r.OperationID == op && r.Command != "" && r.Request != nil {
				return r, true
			}
		}
	}
	return Route{}, false
}

// offeredCommands are the command forms the page offers p's role for a
// project in status.
func (s *Server) offeredCommands(role, projectID, status string) []commandLink {
	var out []commandLink
	for _, pc := range projectCommands {
		r, ok := s.commandRouteOf(pc.op, false)
		if !ok || !contains(r.Roles, role) || !contains(pc.statuses, status) {
			continue
		}
		out = append(out, commandLink{Op: pc.op, Href: "/ui/projects/" + url.PathEscape(projectID) + "/commands/" + pc.op})
	}
	return out
}

// fieldsOf lists the inputs of a command type: its JSON fields but fixed,
// the one the page's path gives (project_id or oid), nested fields as
// repeatable fieldsets, with their values from form.
func fieldsOf(r Route, fixed string, form map[string]string) []cmdField {
	return structFields(reflect.TypeOf(r.Request), "", fixed, form)
}

// fixedOf is the field the form's path gives: the organisation of an
// organisation's form, else the project.
func fixedOf(c echo.Context) string {
	if c.Param("oid") != "" {
		return "oid"
	}
	return "project_id"
}

// webCommandOf builds the command of route r from a web form; the reader
// it returns finds the input of a field path the domain refuses.
func webCommandOf(c echo.Context, r Route, form map[string]string) (aggregates.Command, *formReader, error) {
	fr := &formReader{form: form, paths: map[string]string{}}
	obj, err := fr.object(reflect.TypeOf(r.Request), "", "", fixedOf(c))
	if err != nil {
		return nil, fr, err
	}
	if oid := c.Param("oid"); oid != "" {
		obj["oid"] = oid
	}
	body, _ := json.Marshal(obj)
	bound := map[string]string{}
	for _, name := range r.BodyFromPath {
		switch name {
		case fixedOf(c):
			bound[name] = c.Param(map[string]string{"oid": "oid", "project_id": "id"}[name])
		default: // e.g. request_id, accreditation_id: a field of the form
			bound[name] = strings.TrimSpace(form[name])
		}
	}
	ptr := reflect.New(reflect.TypeOf(r.Request))
	if err := decodeStrict(body, ptr.Interface(), bound); err != nil {
		return nil, fr, err
	}
	return ptr.Elem().Interface().(aggregates.Command), fr, nil
}

// commandFormData prepares the form of op on a project or organisation.
func (s *Server) commandFormData(c echo.Context) (Route, commandForm, error) {
	var f commandForm
	if oid := c.Param("oid"); oid != "" {
		if err := visibleOrg(c, oid); err != nil {
			return Route{}, f, err
		}
		if _, err := s.d.Reader.Organisation(c.Request().Context(), oid); err != nil {
			return Route{}, f, sameNotFound(err, aggregates.KindOrganisation, oid)
		}
		f.OID, f.Back = oid, "/ui/organisations/"+url.PathEscape(oid)
	} else {
		pv, err := s.visibleProject(c, c.Param("id"))
		if err != nil {
			return Route{}, f, err
		}
		f.ProjectID, f.Back = pv.ID, "/ui/projects/"+url.PathEscape(pv.ID)
	}
	op := c.Param("op")
	if f.OID != "" {
		op = c.Param("command")
	}
	r, ok := s.commandRouteOf(op, f.OID != "")
	if !ok || !contains(r.Roles, principal(c).Role) {
		return Route{}, f, apperr.New(apperr.NotFound, "no command form %q", op)
	}
	f.Op, f.Action = r.OperationID, f.Back+"/commands/"+r.OperationID
	prefill := map[string]string{} // e.g. the call of an application
	for k, v := range c.QueryParams() {
		if len(v) > 0 && k != "lang" {
			prefill[k] = v[0]
		}
	}
	f.Check, f.Fields = f.Action+"/check", fieldsOf(r, fixedOf(c), prefill)
	return r, f, nil
}

func (s *Server) webCommandForm(c echo.Context) error {
	_, f, err := s.commandFormData(c)
	if err != nil {
		return err
	}
	return s.render(c, "command_form.html", "cmd-"+f.Op, f)
}

func (s *Server) webCommandCheck(c echo.Context) error {
	r, _, err := s.commandFormData(c)
	if err != nil {
		return err
	}
	if err := checkFormType(c); err != nil {
		return err
	}
	lang := language(c)
	cmd, fr, err := webCommandOf(c, r, formOf(c))
	if err == nil {
		if _, err = s.dryRun(c, cmd); err == nil {
			return c.JSON(http.StatusOK, WebCheck{OK: true, Message: i18n.T(lang, "dry-run-ok-cmd")})
		}
	}
	chk := webCheck(lang, err, 0)
	chk.Field = fr.inputOf(apperr.As(err).Field)
	return c.JSON(http.StatusOK, chk)
}

// topField is the form input of a field path (work_packages[1].id is in
// work_packages).
func topField(f string) string {
	if i := strings.IndexAny(f, ".["); i >= 0 {
		return f[:i]
	}
	return f
}

func (s *Server) webCommandSubmit(c echo.Context) error {
	r, f, err := s.commandFormData(c)
	if err != nil {
		return err
	}
	if err := checkFormType(c); err != nil {
		return err
	}
	form := formOf(c)
	if why := strings.TrimSpace(form["grants_reason"]); why != "" {
		c.Request().Header.Set(HeaderReason, why) // the audit history's "why"
	}
	cmd, fr, err := webCommandOf(c, r, form)
	if err == nil {
		err = s.webExecute(c, cmd)
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, f.Back+"?saved=1")
	}
	if !wantsPage(c) {
		return err
	}
	lang := language(c)
	ae := apperr.As(err)
	f.Reason = form["grants_reason"]
	f.Notice = i18n.T(lang, "form-refused")
	f.Fields = fieldsOf(r, fixedOf(c), form)
	if !setError(f.Fields, fr.inputOf(ae.Field), explain(lang, ae)) {
		f.Notice += " " + explain(lang, ae)
	}
	return s.renderStatus(c, problemOf(err).Status, "command_form.html", "cmd-"+f.Op, f)
}

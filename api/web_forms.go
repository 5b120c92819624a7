package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// formFields are the fields of the mobility form, named as the CSV
// columns (so that a refusal's field maps to its input).
var formFields = []string{"mobility_id", "participant_id", "first_name", "last_name", "activity", "start_date", "end_date",
	"sending_organisation", "receiving_organisation", "sending_country", "receiving_country", "receiving_city",
	"distance_km", "travel_days", "green_travel", "fewer_opportunities"}

// WebCheck is the answer of a form's dry run to the page's script.
type WebCheck struct {
	OK bool `json:"ok"`
	// Field is the form field at fault; Rule the rule broken.
	Field string `json:"input,omitempty"`
	Rule  string `json:"rule,omitempty"`
	// Message says it in the user's language.
	Message string `json:"message"`
	// Lines explain the grant a success would give, line by line, in the
	// user's language.
	Lines []string `json:"lines,omitempty"`
}

// formRoutes are the pages' forms: report, correct and cancel a
// mobility, and the CSV upload with its template.
func (s *Server) formRoutes() []Route {
	G, P := http.MethodGet, http.MethodPost
	html, form := "text/html", "application/x-www-form-urlencoded"
	lang := langParam()
	rep := []string{aggregates.RoleBeneficiary, aggregates.RoleNationalOffice}
	return []Route{
		{Method: G, Path: "/ui/projects/:id/mobilities/new", OperationID: "webMobilityForm", Summary: "Web page: the form to report a mobility, checked as the user types", Tag: tagWeb, Roles: rep, ResponseType: html, Query: lang, Handler: s.webMobilityNew},
		{Method: P, Path: "/ui/projects/:id/mobilities", OperationID: "webReportMobility", Summary: "Report a mobility from the web form", Tag: tagWeb, Roles: rep, Command: "ReportMobility", RequestType: form, ResponseType: html, Status: http.StatusSeeOther, Handler: s.webMobilitySubmit},
		{Method: P, Path: "/ui/projects/:id/mobilities/check", OperationID: "webCheckMobility", Summary: "Dry-run the mobility form: the grant it would give or the rule at fault, next to its field", Tag: tagWeb, Roles: rep, RequestType: form, Response: WebCheck{}, Handler: s.webMobilityCheck},
		{Method: G, Path: "/ui/projects/:id/mobilities/:mid/edit", OperationID: "webMobilityEdit", Summary: "Web page: correct or cancel a mobility", Tag: tagWeb, Roles: rep, ResponseType: html, Query: lang, Handler: s.webMobilityEdit},
		{Method: P, Path: "/ui/projects/:id/mobilities/:mid", OperationID: "webCorrectMobility", Summary: "Correct a mobility from the web form", Tag: tagWeb, Roles: rep, Command: "CorrectMobility", RequestType: form, ResponseType: html, Status: http.StatusSeeOther, Handler: s.webMobilitySubmit},
		{Method: P, Path: "/ui/projects/:id/mobilities/:mid/check", OperationID: "webCheckCorrection", Summary: "Dry-run the correction form", Tag: tagWeb, Roles: rep, RequestType: form, Response: WebCheck{}, Handler: s.webMobilityCheck},
		{Method: P, Path: "/ui/projects/:id/mobilities/:mid/cancel", OperationID: "webCancelMobility", Summary: "Cancel a mobility from the web form, with a reason", Tag: tagWeb, Roles: rep, Command: "CancelMobility", RequestType: form, ResponseType: html, Status: http.StatusSeeOther, Handler: s.webMobilityCancel},
		{Method: G, Path: "/ui/projects/:id/upload", OperationID: "webUploadForm", Summary: "Web page: upload mobilities as CSV", Tag: tagWeb, Roles: rep, ResponseType: html, Query: lang, Handler: s.webUploadForm},
		{Method: P, Path: "/ui/projects/:id/upload", OperationID: "webUpload", Summary: "Upload mobilities as CSV from the web page: the result of every row", Tag: tagWeb, Roles: rep, Command: "ReportMobility", RequestType: "multipart/form-data", ResponseType: html, Handler: s.webUpload},
		{Method: G, Path: "/ui/mobilities-template.csv", OperationID: "webUploadTemplate", Summary: "The CSV template of the mobility upload (sep=semicolon: for Finnish Excel, with a byte-order mark)", Tag: tagWeb, Roles: rep, ResponseType: "text/csv",
			Query: []Param{{Name: "sep", Enum: []string{"comma", "semicolon"}, Description: "semicolon: semicolons and a byte-order mark"}}, Handler: s.webUploadTemplate},
	}
}

// mobilityForm is the report or correction form.
type mobilityForm struct {
	ProjectID, MobilityID string
	Action, Check         string
	Values                map[string]string
	// Errors maps a field to its message; Notice is the form's message.
	Errors     map[string]string
	Notice     string
	Activities []string
	Fields     []string
	Correcting bool
}

func (s *Server) newMobilityForm(c echo.Context, pv projections.ProjectView, mid string) mobilityForm {
	f := mobilityForm{ProjectID: pv.ID, MobilityID: mid, Values: map[string]string{}, Errors: map[string]string{}, Fields: formFields}
	for _, a := range catalog.Activities() {
		f.Activities = append(f.Activities, a.Code)
	}
	base := "/ui/projects/" + url.PathEscape(pv.ID) + "/mobilities"
	if mid == "" {
		f.Action, f.Check = base, base+"/check"
	} else {
		f.Correcting = true
		f.Action, f.Check = base+"/"+url.PathEscape(mid), base+"/"+url.PathEscape(mid)+"/check"
	}
	return f
}

func (s *Server) webMobilityNew(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	f := s.newMobilityForm(c, pv, "")
	f.Values["sending_country"] = "FI"
	return s.render(c, "mobility_form.html", "report-mobility", f)
}

func (s *Server) webMobilityEdit(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	m, err := s.d.Reader.Mobility(c.Request().Context(), pv.ID, c.Param("mid"))
	if err != nil {
		return err
	}
	f := s.newMobilityForm(c, pv, m.ID)
	for k, v := range map[string]string{"mobility_id": m.ID, "participant_id": m.ParticipantID, "activity": m.Activity, "start_date": m.StartDate,
		"end_date": m.EndDate, "sending_organisation": m.SendingOrg, "receiving_organisation": m.ReceivingOrg, "sending_country": m.SendingCountry,
		"receiving_country": m.ReceivingCountry, "receiving_city": m.ReceivingCity, "distance_km": fmt.Sprint(m.DistanceKm), "travel_days": fmt.Sprint(m.TravelDays)} {
		f.Values[k] = v
	}
	if m.GreenTravel {
		f.Values["green_travel"] = "true"
	}
	if m.FewerOpportunities {
		f.Values["fewer_opportunities"] = "true"
	}
	return s.render(c, "mobility_form.html", "correct-mobility", f)
}

// mobilityCommand builds the report or correction from the form.
func mobilityCommand(c echo.Context, form map[string]string) (aggregates.Command, error) {
	obj := map[string]any{}
	for _, col := range csvColumns {
		v := strings.TrimSpace(form[col.name])
		if col.kind == "bool" && v == "on" {
			v = "true"
		}
		if v == "" {
			continue
		}
		val, err := csvValue(col, v)
		if err != nil {
			return nil, err
		}
		setPath(obj, col.path, val)
	}
	body, _ := json.Marshal(obj)
	bound := map[string]string{"project_id": c.Param("id")}
	if mid := c.Param("mid"); mid != "" {
		obj["mobility_id"] = mid
		if r := strings.TrimSpace(form["reason"]); r != "" {
			obj["reason"] = r
		}
		body, _ = json.Marshal(obj)
		var cmd aggregates.CorrectMobility
		if err := decodeStrict(body, &cmd, bound); err != nil {
			return nil, err
		}
		return cmd, nil
	}
	var cmd aggregates.ReportMobility
	if err := decodeStrict(body, &cmd, bound); err != nil {
		return nil, err
	}
	return cmd, nil
}

// webCheck explains err (or success) in the user's language, with the
// form field at fault.
func webCheck(lang string, err error, grantCents int64) WebCheck {
	if err == nil {
		return WebCheck{OK: true, Message: fmt.Sprintf(i18n.T(lang, "dry-run-ok"), i18n.Euros(lang, grantCents))}
	}
	ae := apperr.As(err)
	out := WebCheck{Rule: ae.Rule, Field: columnOfField(ae.Field)}
	if out.Field == "" && ae.Field != "" {
		out.Field = ae.Field
	}
	if out.Field == "" && apperr.CodeOf(err) == apperr.Conflict {
		out.Field = "mobility_id"
	}
	out.Message = explain(lang, ae)
	return out
}

// explain says a refusal in lang: the rule's title and text from the
// rule catalogue, and in English the exact detail too.
func explain(lang string, ae *apperr.Error) string {
	if ae == nil {
		return ""
	}
	if ae.Code == apperr.Internal || ae.Code == apperr.Unavailable {
		return i18n.T(lang, "error")
	}
	msg := ae.Message
	if ae.Rule != "" {
		if t := ruleTextIn(ae.Rule, lang); t != "" {
			if lang == "en" {
				return t + " (" + ae.Rule + "): " + msg
			}
			return t + " (" + ae.Rule + ")"
		}
	}
	if lang != "en" {
		return i18n.T(lang, "check-field") + " " + msg
	}
	return msg
}

// ruleTextIn is a rule's title and text in lang.
func ruleTextIn(id, lang string) string {
	f := webFuncs()
	title := f["ruleTitle"].(func(string, string) string)(id, lang)
	text := f["ruleText"].(func(string, string) string)(id, lang)
	if title == "" {
		return ""
	}
	return title + ". " + text
}

// grantOf is the grant of a dry run's mobility event.
func grantOf(res command.DryRunResult) int64 {
	for _, d := range res.Events {
		switch e := d.Payload.(type) {
		case aggregates.MobilityReported:
			return e.Grant.TotalCents
		case aggregates.MobilityCorrected:
			return e.Grant.TotalCents
		}
	}
	return 0
}

// webMobilityCheck answers the page's script: the form's dry run.
func (s *Server) webMobilityCheck(c echo.Context) error {
	lang := language(c)
	if _, err := s.visibleProject(c, c.Param("id")); err != nil {
		return err
	}
	if err := checkFormType(c); err != nil {
		return err
	}
	cmd, err := mobilityCommand(c, formOf(c))
	if err == nil {
		var res command.DryRunResult
		if res, err = s.dryRun(c, cmd); err == nil {
			chk := webCheck(lang, nil, grantOf(res))
			if g, ok := grantOfDryRun(res); ok {
				chk.Lines = grantLinesIn(lang, g)
			}
			return c.JSON(http.StatusOK, chk)
		}
	}
	return c.JSON(http.StatusOK, webCheck(lang, err, 0))
}

// webMobilitySubmit records the form's report or correction; a refusal
// shows the form again with the message next to its field.
func (s *Server) webMobilitySubmit(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	if err := checkFormType(c); err != nil {
		return err
	}
	form := formOf(c)
	cmd, err := mobilityCommand(c, form)
	if err == nil {
		err = s.webExecute(c, cmd)
	}
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/ui/projects/"+url.PathEscape(pv.ID)+"?saved=1#mobilities")
	}
	if !wantsPage(c) {
		return err
	}
	lang := language(c)
	f := s.newMobilityForm(c, pv, c.Param("mid"))
	for _, k := range append(formFields, "reason") {
		f.Values[k] = form[k]
	}
	chk := webCheck(lang, err, 0)
	f.Notice = i18n.T(lang, "form-refused")
	if chk.Field != "" && contains(formFields, chk.Field) {
		f.Errors[chk.Field] = chk.Message
	} else {
		f.Notice += " " + chk.Message
	}
	title := "report-mobility"
	if f.Correcting {
		title = "correct-mobility"
	}
	return s.renderStatus(c, problemOf(err).Status, "mobility_form.html", title, f)
}

// webMobilityCancel cancels a mobility with the form's reason.
func (s *Server) webMobilityCancel(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	if err := checkFormType(c); err != nil {
		return err
	}
	cmd := aggregates.CancelMobility{ProjectID: pv.ID, MobilityID: c.Param("mid"), Reason: strings.TrimSpace(formOf(c)["reason"])}
	if err := s.webExecute(c, cmd); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/ui/projects/"+url.PathEscape(pv.ID)+"?saved=1#mobilities")
}

// uploadPage is the CSV upload page, with the last upload's result.
type uploadPage struct {
	ProjectID string
	Result    *BulkResult
	Error     string
}

func (s *Server) webUploadForm(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.render(c, "upload.html", "upload-csv", uploadPage{ProjectID: pv.ID})
}

func (s *Server) webUpload(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.authoriseCommand(c, aggregates.ReportMobility{ProjectID: pv.ID}); err != nil {
		return err
	}
	if err := checkFormType(c); err != nil {
		return err
	}
	file := filesOf(c)["file"]
	res, err := s.bulkReport(c, pv.ID, file, "text/csv", "", "")
	out := uploadPage{ProjectID: pv.ID}
	if err != nil {
		if !wantsPage(c) {
			return err
		}
		out.Error = explain(language(c), apperr.As(err))
		return s.renderStatus(c, problemOf(err).Status, "upload.html", "upload-csv", out)
	}
	for i, r := range res.Rows {
		if r.Status == "refused" {
			res.Rows[i].Message = explain(language(c), &apperr.Error{Rule: r.Rule, Field: r.Field, Message: r.Message, Code: apperr.Invalid})
		}
	}
	s.settle(c, res.Sequence)
	out.Result = &res
	return s.render(c, "upload.html", "upload-csv", out)
}

// webUploadTemplate is the upload's header line and one example row.
func (s *Server) webUploadTemplate(c echo.Context) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	name := "mobilities-template.csv"
	if c.QueryParam("sep") == "semicolon" {
		buf.WriteString("\ufeff")
		w.Comma = ';'
		name = "mobilities-template-excel.csv"
	}
	example := map[string]string{"mobility_id": "M001", "participant_id": "P001", "first_name": "Aino", "last_name": "Virtanen",
		"activity": catalog.CodeJobShadowing, "start_date": "2025-09-01", "end_date": "2025-09-05", "sending_organisation": "Oulun koulu",
		"receiving_organisation": "Schule Berlin", "sending_country": "FI", "receiving_country": "DE", "receiving_city": "Berlin",
		"distance_km": "1100", "travel_days": "2", "green_travel": "false"}
	_ = w.Write(formFields)
	row := make([]string, len(formFields))
	for i, f := range formFields {
		row[i] = example[f]
	}
	_ = w.Write(row)
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

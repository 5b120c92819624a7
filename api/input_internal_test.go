package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
)

// TestInvalidInputNamesTheExactField proves that a bad value deep inside a
// command is refused with the path of that value (docs/api.md promises
// e.g. personal.birth_date), that a member given twice is refused instead
// of silently keeping the last one, and that nothing reaches the handler.
func TestInvalidInputNamesTheExactField(t *testing.T) {
	mob := "/v1/projects/P1/mobilities"
	acc := "/v1/organisations/E10000001/accreditations"
	for _, tc := range []struct {
		name, path, body, field, detail string
	}{
		{"date inside an object", mob, `{"personal":{"birth_date":"2020-02-30"}}`, "personal.birth_date", "2020-02-30"},
		{"wrong type inside an array", mob, `{"ukraine":{"documents":["pay-slip",1]}}`, "ukraine.documents[1]", "expected a string"},
		{"array expected", mob, `{"ukraine":{"documents":"pay-slip"}}`, "ukraine.documents", "expected an array"},
		{"object expected", mob, `{"personal":"Aino"}`, "personal", "expected an object"},
		{"unknown field inside an object", mob, `{"personal":{"first":"Aino"}}`, "personal.first", "unknown field"},
		{"field names are exact, not case-insensitive", mob, `{"personal":{"First_Name":"Aino"}}`, "personal.First_Name", "unknown field"},
		{"unknown field inside an array element", acc, `{"plan":{"objectives":[{"text":"a"},{"title":"x"}]}}`, "plan.objectives[1].title", "unknown field"},
		{"wrong type two levels down", acc, `{"plan":{"objectives":[{"text":"a","indicators":"CEFR"}]}}`, "plan.objectives[0].indicators", "expected an array"},
		{"integer inside an object", mob, `{"origin":{"lat":"north"}}`, "origin.lat", "expected a number"},
		{"member given twice", mob, `{"mobility_id":"M1","mobility_id":"M2"}`, "mobility_id", "twice"},
		{"member given twice inside an object", mob, `{"personal":{"first_name":"A","first_name":"B"}}`, "personal.first_name", "twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUnitServer(t, nil)
			w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, tc.path, tc.body)
			p := problemBody(t, w)
			if w.Code != http.StatusBadRequest || p.Field != tc.field || !strings.Contains(p.Detail, tc.detail) {
				t.Fatalf("got %d field %q detail %q; want 400 field %q detail with %q", w.Code, p.Field, p.Detail, tc.field, tc.detail)
			}
			if n := len(u.cmds.requests()); n != 0 {
				t.Fatalf("%d commands reached the handler", n)
			}
		})
	}
}

// TestValidNestedInputStillDecodes guards the strict decoder against
// refusing what is right: nested objects, arrays, nulls and URL fields.
func TestValidNestedInputStillDecodes(t *testing.T) {
	u := newUnitServer(t, nil)
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/organisations/E10000001/accreditations",
		`{"accreditation_id":"ACC-1","field":"school","kind":"single","strategy_attached":true,"plan":{"from_year":2024,"to_year":2027,"objectives":[{"text":"languages","indicators":["CEFR","B1"]}]}}`)
	if w.Code >= 300 {
		t.Fatalf("valid accreditation application: %d %s", w.Code, w.Body)
	}
	reqs := u.cmds.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d commands", len(reqs))
	}
	c, ok := reqs[0].Command.(*aggregates.ApplyForAccreditation)
	if !ok {
		cv, ok2 := reqs[0].Command.(aggregates.ApplyForAccreditation)
		if !ok2 {
			t.Fatalf("command %T", reqs[0].Command)
		}
		c = &cv
	}
	if c.OID != "E10000001" || len(c.Plan.Objectives) != 1 || len(c.Plan.Objectives[0].Indicators) != 2 || c.Plan.Objectives[0].Indicators[1] != "B1" {
		t.Fatalf("decoded %+v", c)
	}
	w = u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/mobilities",
		`{"mobility_id":"M1","participant_id":"P-1","personal":null,"ukraine":null,"origin":{"lat":65.0,"lon":25.5},"destination":{"lat":63.8,"lon":20.3},"activity":"SM-TTA","start_date":"2024-05-02","end_date":"2024-05-06","sending_organisation":"a","receiving_organisation":"b","sending_country":"FI","receiving_country":"SE","receiving_city":"Umeå"}`)
	if w.Code >= 300 {
		t.Fatalf("valid mobility: %d %s", w.Code, w.Body)
	}
}

// TestCommandOfAnotherRoleCitesCoreTasks: a role that may not issue a
// command is refused with rule CORE-TASKS; a query keeps no rule.
func TestCommandOfAnotherRoleCitesCoreTasks(t *testing.T) {
	u := newUnitServer(t, nil)
	for _, tc := range []struct{ role, method, path, body, rule string }{
		{aggregates.RoleBeneficiary, http.MethodPost, "/v1/projects/P1/decision", `{"outcome":"approved","awarded_cents":1}`, "CORE-TASKS"},
		{aggregates.RoleBeneficiary, http.MethodPost, "/v1/projects/P1/payments", `{}`, "CORE-TASKS"},
		{aggregates.RoleAnalyst, http.MethodPost, "/v1/projects/P1/mobilities", `{}`, "CORE-TASKS"},
		{aggregates.RoleAnalyst, http.MethodGet, "/v1/projects/P1/history", "", ""},
	} {
		w := u.do(t, tc.role, tc.method, tc.path, tc.body)
		if p := problemBody(t, w); w.Code != http.StatusForbidden || p.Rule != tc.rule {
			t.Errorf("%s %s %s: %d rule %q, want 403 rule %q", tc.role, tc.method, tc.path, w.Code, p.Rule, tc.rule)
		}
	}
	if n := len(u.cmds.requests()); n != 0 {
		t.Fatalf("%d commands reached the handler", n)
	}
}

// TestTooLargeBodySaysTheLimit: the 413 tells the limit in bytes.
func TestTooLargeBodySaysTheLimit(t *testing.T) {
	u := newUnitServer(t, nil)
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/decision", `{"outcome":"`+strings.Repeat("x", 5000)+`"}`)
	if p := problemBody(t, w); w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(p.Detail, "4096") {
		t.Fatalf("%d %+v", w.Code, p)
	}
}

// TestConflictShowsOnlyAKnownVersion: "already reported" has no version
// to show; a concurrency conflict and a failed If-Match do.
func TestConflictShowsOnlyAKnownVersion(t *testing.T) {
	if p := problemOf(apperr.New(apperr.Conflict, "mobility M1 is already reported")); p.Version != nil {
		t.Fatalf("version %d shown for a conflict without one", *p.Version)
	}
	e := apperr.New(apperr.Conflict, "changed concurrently")
	e.Version = 7
	if p := problemOf(e); p.Version == nil || *p.Version != 7 {
		t.Fatalf("concurrency conflict lost its version: %+v", p)
	}
	if p := problemOf(apperr.New(apperr.PreconditionFailed, "If-Match")); p.Version == nil {
		t.Fatal("412 without version")
	}
}

// TestUploadRowNamesTheColumnAtFault: a refused CSV row always points at
// a rule or a column, also for an ID already used and for a list item.
func TestUploadRowNamesTheColumnAtFault(t *testing.T) {
	row := refuse(BulkRow{Line: 3, MobilityID: "M1"}, apperr.New(apperr.Conflict, "mobility M1 is already reported"))
	if row.Field != "mobility_id" || row.Column != "mobility_id" || row.Code != http.StatusConflict {
		t.Fatalf("duplicate mobility row %+v", row)
	}
	row = refuse(BulkRow{Line: 4}, apperr.InvalidField("ukraine.documents[1]", "not a document kind"))
	if row.Column != "ukraine_documents" {
		t.Fatalf("list item row %+v", row)
	}
}

// upload posts a CSV file as the beneficiary and returns the JSON answer.
func (u *unitServer) upload(t *testing.T, body string) (*httptest.ResponseRecorder, BulkResult) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/projects/P1/mobilities.csv", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+u.tokens[aggregates.RoleBeneficiary])
	w := httptest.NewRecorder()
	u.s.Handler().ServeHTTP(w, req)
	CheckContract(t, u.s, req, []byte(body), w.Code, w.Header(), w.Body.Bytes())
	var res BulkResult
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
	}
	return w, res
}

// TestUploadReadsSpreadsheetCSV: a file saved by a spreadsheet with a
// Finnish locale separates with semicolons and writes decimal commas; a
// row of the wrong length still names its mobility.
func TestUploadReadsSpreadsheetCSV(t *testing.T) {
	u := newUnitServer(t, nil)
	body := "mobility_id;participant_id;activity;start_date;end_date;sending_organisation;receiving_organisation;sending_country;receiving_country;receiving_city;origin_lat;origin_lon;destination_lat;destination_lon\n" +
		"M1;p1;SM-JOB-SHDW;2022-09-05;2022-09-09;A;B;FI;DE;Berlin;65,01;25,47;52,52;13,40\n" +
		"M2;p2;SM-JOB-SHDW\n"
	w, res := u.upload(t, body)
	if w.Code != 200 || res.Accepted != 1 || res.Refused != 1 || res.Rows[1].MobilityID != "M2" {
		t.Fatalf("%d %+v", w.Code, res)
	}
	reqs := u.cmds.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d commands", len(reqs))
	}
	m, ok := reqs[0].Command.(aggregates.ReportMobility)
	if !ok {
		t.Fatalf("command %T", reqs[0].Command)
	}
	if m.Origin == nil || m.Origin.Lat != 65.01 || m.Destination == nil || m.Destination.Lon != 13.40 {
		t.Fatalf("coordinates %+v %+v", m.Origin, m.Destination)
	}
}

// TestUploadOverTheRowLimitRecordsNothing: the row limit is checked before
// the first row is recorded, so a refused file leaves no half upload.
func TestUploadOverTheRowLimitRecordsNothing(t *testing.T) {
	u := newUnitServer(t, nil)
	var b strings.Builder
	b.WriteString("mobility_id,participant_id,activity,start_date,end_date,sending_organisation,receiving_organisation,sending_country,receiving_country,receiving_city,distance_km\n")
	for i := 0; i <= MaxUploadRows; i++ {
		fmt.Fprintf(&b, "M%d,p%d,SM-JOB-SHDW,2022-09-05,2022-09-09,A,B,FI,DE,Berlin,1100\n", i, i)
	}
	w, _ := u.upload(t, b.String())
	if p := problemBody(t, w); w.Code != 400 || !strings.Contains(p.Detail, "nothing was recorded") {
		t.Fatalf("%d %+v", w.Code, p)
	}
	if n := len(u.cmds.requests()); n != 0 {
		t.Fatalf("%d rows were recorded from a refused file", n)
	}
}

// TestEveryQueryReadsItsOwnWrites: every query of the read models honours
// Grants-Min-Sequence, as docs/api.md promises for "any query", and says so
// in the OpenAPI document.
func TestEveryQueryReadsItsOwnWrites(t *testing.T) {
	u := newUnitServer(t, func(d *Deps) { d.MaxWait = 20 * time.Millisecond; d.Reader = emptyReader{checkpoint: 10} })
	fill := strings.NewReplacer(":oid", "E10000001", ":aid", "ACC-1", ":id", "P1", ":mid", "M1", ":pid", "PART-1")
	n := 0
	for _, r := range u.s.Routes() {
		if !readsProjections(r) {
			continue
		}
		n++
		documented := false
		for _, p := range r.Query {
			documented = documented || p.Name == "min_seq"
		}
		if !documented {
			t.Errorf("%s %s does not document min_seq", r.Method, r.Path)
		}
		w := u.do(t, aggregates.RoleNationalOffice, r.Method, fill.Replace(r.Path), "", HeaderMinSequence, "11")
		if p := problemBody(t, w); w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s %s ahead of the read models: %d %+v", r.Method, r.Path, w.Code, p)
		}
	}
	if n < 20 {
		t.Fatalf("only %d queries of the read models found", n)
	}
}

// TestUnknownQueryParametersAreRefused: a misspelt filter would silently
// return everything; it is refused with the parameter as the field.
func TestUnknownQueryParametersAreRefused(t *testing.T) {
	u := newUnitServer(t, nil)
	for _, tc := range []struct{ path, field string }{
		{"/v1/projects?stauts=ongoing", "stauts"},
		{"/v1/mobilities?org=E10000001&projectid=P1", "projectid"},
		{"/v1/statistics/mobilities?groupby=activity", "groupby"},
		{"/v1/projects/P1?lang=fi", "lang"},
	} {
		w := u.do(t, aggregates.RoleNationalOffice, http.MethodGet, tc.path, "")
		if p := problemBody(t, w); w.Code != 400 || p.Field != tc.field || !strings.Contains(p.Detail, "unknown query parameter") {
			t.Errorf("%s: %d %+v", tc.path, w.Code, p)
		}
	}
	for _, ok := range []string{"/v1/projects?status=ongoing&limit=5&min_seq=0", "/v1/projects/P1/history?type=MobilityReported"} {
		if w := u.do(t, aggregates.RoleNationalOffice, http.MethodGet, ok, ""); w.Code == 400 {
			t.Errorf("%s refused: %s", ok, w.Body)
		}
	}
}

// TestBodyReasonIsTheAuditReason: the reason given in the body of a
// cancellation or correction is the "why" of the audit history when no
// Grants-Reason header is sent; the header wins when both are given.
func TestBodyReasonIsTheAuditReason(t *testing.T) {
	u := newUnitServer(t, nil)
	for _, tc := range []struct {
		method, body, header, want string
	}{
		{http.MethodDelete, `{"reason":"the participant fell ill"}`, "", "the participant fell ill"},
		{http.MethodDelete, `{"reason":"in the body"}`, "from%20the%20header", "from the header"},
		{http.MethodDelete, `{}`, "", ""},
	} {
		before := len(u.cmds.requests())
		hdr := []string{}
		if tc.header != "" {
			hdr = append(hdr, HeaderReason, tc.header)
		}
		w := u.do(t, aggregates.RoleBeneficiary, tc.method, "/v1/projects/P1/mobilities/M1", tc.body, hdr...)
		if w.Code >= 300 {
			t.Fatalf("%s: %d %s", tc.body, w.Code, w.Body)
		}
		reqs := u.cmds.requests()
		if len(reqs) != before+1 || reqs[len(reqs)-1].Reason != tc.want {
			t.Fatalf("%s with header %q: reason %q, want %q", tc.body, tc.header, reqs[len(reqs)-1].Reason, tc.want)
		}
	}
}

// TestExportCellsAreNotFormulas: text a beneficiary typed (a city, an
// organisation) never reaches an analyst's spreadsheet as a formula.
func TestExportCellsAreNotFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=1+2", "'=1+2"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"+358 40", "'+358 40"},
		{"-5", "-5"},
		{"-12.5", "-12.5"},
		{"Helsinki", "Helsinki"},
		{"", ""},
		// After any separator a spreadsheet may split on (semicolon, the
		// Finnish default; comma; tab) or a line break, a trigger is
		// neutralised too, since it would start a cell of its own.
		{`a;=cmd|' /C calc'!A0`, `a;'=cmd|' /C calc'!A0`},
		{"Oulu,+358 40", "Oulu,'+358 40"},
		{"x;-2+3", "x;'-2+3"},
		{"x; @SUM(A1)", "x; '@SUM(A1)"},
		{"line\n=1+2", "line\n'=1+2"},
		{"line\r\n=1+2", "line\r\n'=1+2"},
		{"a\t=1", "a\t'=1"},
		{"\t=1", "'\t'=1"},
		{";;=1", ";;'=1"},
		{"=a;=b,=c", "'=a;'=b,'=c"},
		{"\uff1dcmd", "'\uff1dcmd"},
		{"Koulu; Oy", "Koulu; Oy"},
		{"a-b;c=d", "a-b;c=d"},
		{"12,5", "12,5"},
		{"-1e3", "-1e3"},
		{"+Inf", "'+Inf"},
		{"-5;=1", "'-5;'=1"},
	} {
		if got := safeCell(tc.in); got != tc.want {
			t.Errorf("safeCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestBudgetExplanationCountsInEnglish: one mobility is "1 mobility".
func TestBudgetExplanationCountsInEnglish(t *testing.T) {
	pv := projections.ProjectView{ID: "P1", CallYear: 2025, AwardedCents: 100000, ReportedCents: 30900}
	mobs := []projections.MobilityView{
		{ID: "M1", Status: "reported", Lines: []projections.GrantLine{{Category: "travel", Rule: "BUD-TRAVEL-BAND", AmountCents: 30900, Explanation: "travel: 500-1999 km band: 309 EUR"}}},
		{ID: "M2", Status: "cancelled", Lines: []projections.GrantLine{{Category: "travel", AmountCents: 30900}}},
	}
	b := computeBudget(pv, mobs)
	if len(b.Breakdown) != 1 || !strings.HasPrefix(b.Breakdown[0].Explanation, "309.00 EUR over 1 mobility;") || !strings.Contains(b.Explanation, "over 1 mobility,") {
		t.Fatalf("%+v", b)
	}
}

// TestStatusFiltersNameTheirValues: a misspelt status would select
// nothing and look like an empty ledger; it is refused with the values.
func TestStatusFiltersNameTheirValues(t *testing.T) {
	u := newUnitServer(t, nil)
	for _, tc := range []struct{ path, want string }{
		{"/v1/projects?status=ongoin", "ongoing"},
		{"/v1/mobilities?status=canceled", "cancelled"},
		{"/v1/projects/P1/mobilities?status=foo", "reported"},
	} {
		w := u.do(t, aggregates.RoleNationalOffice, http.MethodGet, tc.path, "")
		if p := problemBody(t, w); w.Code != 400 || p.Field != "status" || !strings.Contains(p.Detail, tc.want) {
			t.Errorf("%s: %d %+v", tc.path, w.Code, p)
		}
	}
	for _, ok := range []string{"/v1/projects?status=final-report-submitted", "/v1/mobilities?status=corrected"} {
		if w := u.do(t, aggregates.RoleNationalOffice, http.MethodGet, ok, ""); w.Code != 200 {
			t.Errorf("%s: %d %s", ok, w.Code, w.Body)
		}
	}
}

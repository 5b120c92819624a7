package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// school0 is the school of the story (the name school is taken by a
// browser below).
const school0 = school

// TestWebCommandFormsRecordWithTheirReason: the project page offers the
// office its commands; a command form's dry run names the field at fault
// in the user's language; sent, the command is recorded with the form's
// reason in the audit trail; a beneficiary gets no form of an office
// command.
func TestWebCommandFormsRecordWithTheirReason(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	signedProject(t, s, own, office)
	br := newBrowser(s)
	br.signIn(t, office, url.Values{"lang": {"sv"}})
	pg := br.do(t, "GET", "/ui/projects/"+project, nil, "Accept", "text/html")
	if !strings.Contains(string(pg.body), `/commands/recordPayment`) || !strings.Contains(string(pg.body), "Registrera en betalning") {
		t.Fatalf("the project page offers no payment form: %s", pg.body)
	}
	form := br.do(t, "GET", "/ui/projects/"+project+"/commands/recordPayment", nil, "Accept", "text/html")
	if form.status != 200 || !strings.Contains(string(form.body), `name="amount_cents"`) || !strings.Contains(string(form.body), `<option value="balance">slutbetalning</option>`) {
		t.Fatalf("payment form: %d %s", form.status, form.body)
	}
	csrf := csrfOf(t, form)
	bad := url.Values{"csrf": {csrf}, "payment_id": {"PF1"}, "kind": {"pre-financing"}, "amount_cents": {"lots"}}
	var chk struct {
		OK    bool   `json:"ok"`
		Input string `json:"input"`
	}
	a := br.do(t, "POST", "/ui/projects/"+project+"/commands/recordPayment/check", bad)
	if err := json.Unmarshal(a.body, &chk); err != nil || chk.OK || chk.Input != "amount_cents" {
		t.Fatalf("dry run of a bad amount: %s", a.body)
	}
	good := url.Values{"csrf": {csrf}, "payment_id": {"PF1"}, "kind": {"pre-financing"}, "amount_cents": {"4800000"}, "grants_reason": {"första förhandsbetalningen"}}
	if a = br.do(t, "POST", "/ui/projects/"+project+"/commands/recordPayment/check", good); !strings.Contains(string(a.body), `"ok":true`) {
		t.Fatalf("dry run of a good payment: %s", a.body)
	}
	if a = br.do(t, "POST", "/ui/projects/"+project+"/commands/recordPayment", good, "Accept", "text/html"); a.status != http.StatusSeeOther {
		t.Fatalf("payment form sent: %d %s", a.status, a.body)
	}
	h := s.must(t, 200, office, "GET", "/v1/projects/"+project+"/history", nil)
	if !strings.Contains(string(h.body), "första förhandsbetalningen") {
		t.Fatalf("the reason is not in the audit trail: %s", h.body)
	}
	school := newBrowser(s)
	school.signIn(t, own, nil)
	if a := school.do(t, "GET", "/ui/projects/"+project+"/commands/recordPayment", nil, "Accept", "text/html"); a.status != http.StatusNotFound {
		t.Fatalf("a beneficiary opened an office form: %d", a.status)
	}
	// The school applies in an open call from its home page.
	home := school.do(t, "GET", "/ui/home?lang=en", nil, "Accept", "text/html")
	apply := "/ui/organisations/" + school0 + "/commands/submitApplication?action=KA122&amp;call_year=2023&amp;round=1"
	if !strings.Contains(string(home.body), apply) {
		t.Fatalf("the home page offers no application in the open call: %s", home.body)
	}
	af := school.do(t, "GET", strings.ReplaceAll(apply, "&amp;", "&"), nil, "Accept", "text/html")
	if af.status != 200 || !strings.Contains(string(af.body), `<option value="KA122" selected>`) {
		t.Fatalf("application form: %d %s", af.status, af.body)
	}
	next := "2023-1-FI01-KA122-SCH-000000002"
	app := url.Values{"csrf": {csrfOf(t, af)}, "project_id": {next}, "action": {"KA122"}, "field": {"school"}, "call_year": {"2023"}, "round": {"1"},
		"title": {"Kielet 2023"}, "partners": {"[]"}, "start_date": {"2023-06-01"}, "end_date": {"2024-05-31"}, "requested_cents": {"5000000"}}
	if a := school.do(t, "POST", "/ui/organisations/"+school0+"/commands/submitApplication", app, "Accept", "text/html"); a.status != http.StatusSeeOther {
		t.Fatalf("application sent: %d %s", a.status, a.body)
	}
	s.must(t, 200, own, "GET", "/v1/projects/"+next, nil)
}

package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWebErasureFormPD_ERASE: the project page offers the national office
// the erasure of each participant, never their personal data; the form
// refuses an erasure without a reason (PD-ERASE, at the reason field) and
// records one with it; then the page shows the participant as erased, in
// the user's language. A beneficiary gets no form; an analyst's page
// offers none and shows no name.
func TestWebErasureFormPD_ERASE(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	analyst := s.token(t, "analyst", "", "analyytikko")
	signedProject(t, s, own, office)
	for _, id := range []string{"M31", "M32"} {
		m := thirtyFirst()
		m["mobility_id"], m["participant_id"] = id, "PART-"+id
		m["personal"] = map[string]any{"first_name": "Aino", "last_name": "Virtanen-" + id}
		s.must(t, 201, own, "POST", "/v1/projects/"+project+"/mobilities", m)
	}
	br := newBrowser(s)
	br.signIn(t, office, url.Values{"lang": {"fi"}})
	formURL := "/ui/organisations/" + school + "/commands/eraseParticipant?participant_id=PART-M31"
	pg := br.do(t, "GET", "/ui/projects/"+project, nil, "Accept", "text/html")
	if !strings.Contains(string(pg.body), strings.ReplaceAll(formURL, "&", "&amp;")) || strings.Contains(string(pg.body), "Virtanen") {
		t.Fatalf("the office's project page offers no erasure, or shows a name: %s", pg.body)
	}
	form := br.do(t, "GET", formURL, nil, "Accept", "text/html")
	if form.status != 200 || !strings.Contains(string(form.body), `value="PART-M31"`) || !strings.Contains(string(form.body), `name="reason"`) || !strings.Contains(string(form.body), "Poista osallistujan henkilötiedot") {
		t.Fatalf("erasure form: %d %s", form.status, form.body)
	}
	csrf := csrfOf(t, form)
	action := "/ui/organisations/" + school + "/commands/eraseParticipant"
	a := br.do(t, "POST", action, url.Values{"csrf": {csrf}, "participant_id": {"PART-M31"}}, "Accept", "text/html")
	if a.status == http.StatusSeeOther || !strings.Contains(string(a.body), `id="f-reason" name="reason" rows="3" aria-describedby="e-reason" aria-invalid="true"`) {
		t.Fatalf("an erasure without a reason: %d %s", a.status, a.body)
	}
	a = br.do(t, "POST", action, url.Values{"csrf": {csrf}, "participant_id": {"PART-M31"}, "reason": {"huoltaja pyysi poistoa"}}, "Accept", "text/html")
	if a.status != http.StatusSeeOther {
		t.Fatalf("the erasure sent: %d %s", a.status, a.body)
	}
	p := s.must(t, 200, office, "GET", "/v1/participants/PART-M31?org="+school, nil)
	if !strings.Contains(string(p.body), `"erased":true`) || strings.Contains(string(p.body), "Virtanen") {
		t.Fatalf("PD-ERASE: the participant after the web erasure: %s", p.body)
	}
	pg = br.do(t, "GET", "/ui/projects/"+project, nil, "Accept", "text/html")
	if !strings.Contains(string(pg.body), "PART-M31 <span class=\"badge\">henkilötiedot poistettu</span>") || strings.Contains(string(pg.body), "participant_id=PART-M31") || !strings.Contains(string(pg.body), "participant_id=PART-M32") {
		t.Fatalf("the project page does not show the participant erased: %s", pg.body)
	}

	school := newBrowser(s)
	school.signIn(t, own, nil)
	if a := school.do(t, "GET", formURL, nil, "Accept", "text/html"); a.status != http.StatusNotFound {
		t.Fatalf("a beneficiary opened the erasure form: %d", a.status)
	}
	an := newBrowser(s)
	an.signIn(t, analyst, nil)
	if pg := an.do(t, "GET", "/ui/projects/"+project, nil, "Accept", "text/html"); pg.status != 200 || strings.Contains(string(pg.body), "eraseParticipant") || strings.Contains(string(pg.body), "Virtanen") {
		t.Fatalf("an analyst's project page: %d %s", pg.status, pg.body)
	}
}

package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWebNestedFieldsetsNotJSON: nested fields (partners, work packages,
// the Erasmus plan's objectives and indicators, extra activities) are
// repeatable fieldsets with a labelled input per value and spare empty
// rows, never JSON text; empty rows are left out; a refusal lands next to
// the input of its row, the row counted as the user sees it.
func TestWebNestedFieldsetsNotJSON(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	signedProject(t, s, own, office)
	br := newBrowser(s)
	br.signIn(t, own, url.Values{"lang": {"fi"}})
	path := "/ui/organisations/" + school0 + "/commands/submitApplication"
	af := br.do(t, "GET", path+"?action=KA122&call_year=2023&round=1", nil, "Accept", "text/html")
	body := string(af.body)
	for _, want := range []string{
		`<fieldset class="rows" data-rows="partners">`, `<legend>Kumppani 2</legend>`,
		`<label for="f-partners[0].name">Virallinen nimi</label>`, `id="f-partners[1].country"`, `name="partners[1].role"`,
		`data-error-for="partners[0].name"`, `name="work_packages[1].share_cents"`, `data-add-row hidden`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the application form lacks %s", want)
		}
	}
	if strings.Contains(body, `<textarea id="f-partners"`) || strings.Contains(body, ">JSON<") {
		t.Error("the application form still takes partners as JSON")
	}
	acc := string(br.do(t, "GET", "/ui/organisations/"+school0+"/commands/applyForAccreditation", nil, "Accept", "text/html").body)
	for _, want := range []string{`name="plan.from_year"`, `name="plan.objectives[0].text"`, `name="plan.objectives[0].indicators[1]"`, `<legend>Tavoite 1</legend>`} {
		if !strings.Contains(acc, want) {
			t.Errorf("the accreditation form lacks %s", want)
		}
	}
	next := "2023-1-FI01-KA122-SCH-000000002"
	app := url.Values{"csrf": {csrfOf(t, af)}, "project_id": {next}, "action": {"KA122"}, "field": {"school"}, "call_year": {"2023"}, "round": {"1"},
		"title": {"Kielet 2023"}, "start_date": {"2023-06-01"}, "end_date": {"2024-05-31"}, "requested_cents": {"5000000"},
		"partners[0].name": {"Skola i Umeå"}, "partners[0].country": {"SE"}, "partners[0].role": {"partner"},
		"partners[1].name": {""}, "partners[1].country": {""}, "partners[1].role": {""},
		"partners[2].name": {"Schule in Bonn"}, "partners[2].country": {"XX"}, "partners[2].role": {"partner"}}
	var chk struct {
		OK      bool   `json:"ok"`
		Input   string `json:"input"`
		Message string `json:"message"`
	}
	a := br.do(t, "POST", path+"/check", app)
	if err := json.Unmarshal(a.body, &chk); err != nil || chk.OK || chk.Input != "partners[2].country" {
		t.Fatalf("dry run of a bad partner country: %s", a.body)
	}
	a = br.do(t, "POST", path, app, "Accept", "text/html")
	if a.status == http.StatusSeeOther || !strings.Contains(string(a.body), `id="f-partners[2].country"`) ||
		!strings.Contains(string(a.body), `aria-describedby="e-partners[2].country" aria-invalid="true"`) ||
		!strings.Contains(string(a.body), `data-error-for="partners[2].country" aria-live="polite">Tarkista`) {
		t.Fatalf("the refused form does not mark the partner's country: %d %s", a.status, a.body)
	}
	if !strings.Contains(string(a.body), `value="Schule in Bonn"`) {
		t.Fatal("the refused form lost the partner's name")
	}
	app.Set("partners[2].country", "DE")
	if a = br.do(t, "POST", path, app, "Accept", "text/html"); a.status != http.StatusSeeOther {
		t.Fatalf("application sent: %d %s", a.status, a.body)
	}
	var st struct {
		Project struct {
			Partners []struct{ Name, Country, Role string } `json:"partners"`
		} `json:"project"`
	}
	s.must(t, 200, own, "GET", "/v1/projects/"+next, nil).json(t, &st)
	p := st.Project
	if len(p.Partners) != 2 || p.Partners[0].Name != "Skola i Umeå" || p.Partners[1].Country != "DE" {
		t.Fatalf("the partners recorded: %+v", p.Partners)
	}
}

package api_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWebFormsReportCheckAndUpload: a coordinator reports a mobility with
// the form, the form's dry run answers the grant or the rule next to its
// field (in Finnish), a refused form comes back with the message linked to
// its field, and a CSV upload shows each row's result.
func TestWebFormsReportCheckAndUpload(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	signedProject(t, s, own, office)
	br := newBrowser(s)
	br.signIn(t, own, url.Values{"lang": {"fi"}})
	formPage := br.do(t, "GET", "/ui/projects/"+project+"/mobilities/new?lang=fi", nil, "Accept", "text/html")
	if formPage.status != 200 || !strings.Contains(string(formPage.body), `data-dry-run="/ui/projects/`+project+`/mobilities/check"`) ||
		!strings.Contains(string(formPage.body), `aria-describedby="e-end_date h-end_date"`) {
		t.Fatalf("the form: %d %s", formPage.status, formPage.body)
	}
	csrf := csrfOf(t, formPage)
	good := url.Values{"csrf": {csrf}, "mobility_id": {"M01"}, "participant_id": {"P01"}, "activity": {"SM-JOB-SHDW"}, "start_date": {"2022-10-03"},
		"end_date": {"2022-10-07"}, "sending_organisation": {"Oulun koulu"}, "receiving_organisation": {"Skola Stockholm"}, "sending_country": {"FI"},
		"receiving_country": {"SE"}, "receiving_city": {"Stockholm"}, "distance_km": {"400"}, "travel_days": {"2"}}
	var chk struct {
		OK      bool   `json:"ok"`
		Input   string `json:"input"`
		Rule    string `json:"rule"`
		Message string `json:"message"`
	}
	a := br.do(t, "POST", "/ui/projects/"+project+"/mobilities/check?lang=fi", good)
	if err := json.Unmarshal(a.body, &chk); err != nil || !chk.OK || !strings.Contains(chk.Message, "€") {
		t.Fatalf("dry run of a good form: %s", a.body)
	}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("end_date", "2022-10-03")
	bad.Set("start_date", "2022-10-07")
	a = br.do(t, "POST", "/ui/projects/"+project+"/mobilities/check?lang=fi", bad)
	if err := json.Unmarshal(a.body, &chk); err != nil || chk.OK || chk.Input == "" {
		t.Fatalf("dry run of a bad form: %s", a.body)
	}
	// Nothing was recorded by the dry runs.
	s.must(t, 404, own, "GET", "/v1/projects/"+project+"/mobilities/M01", nil)
	// The refused form comes back with the message next to its field.
	a = br.do(t, "POST", "/ui/projects/"+project+"/mobilities?lang=fi", bad, "Accept", "text/html")
	if a.status < 400 || !strings.Contains(string(a.body), `aria-invalid="true"`) || !strings.Contains(string(a.body), "Lomaketta ei hyväksytty") {
		t.Fatalf("refused form: %d %s", a.status, a.body)
	}
	a = br.do(t, "POST", "/ui/projects/"+project+"/mobilities", good, "Accept", "text/html")
	if a.status != http.StatusSeeOther {
		t.Fatalf("the good form: %d %s", a.status, a.body)
	}
	s.must(t, 200, own, "GET", "/v1/projects/"+project+"/mobilities/M01", nil)

	// The CSV template for Finnish Excel, then an upload with one refused row.
	tpl := br.do(t, "GET", "/ui/mobilities-template.csv?sep=semicolon", nil)
	if !strings.HasPrefix(string(tpl.body), "\ufeffmobility_id;participant_id;") {
		t.Fatalf("template: %q", tpl.body)
	}
	csvBody := "mobility_id,participant_id,activity,start_date,end_date,sending_organisation,receiving_organisation,sending_country,receiving_country,receiving_city,distance_km\n" +
		"M02,P02,SM-JOB-SHDW,2022-10-03,2022-10-07,Oulun koulu,Skola,FI,SE,Stockholm,400\n" +
		"M03,P03,SM-JOB-SHDW,2022-10-07,2022-10-03,Oulun koulu,Skola,FI,SE,Stockholm,400\n"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", "m.csv")
	_, _ = fw.Write([]byte(csvBody))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", s.url+"/ui/projects/"+project+"/upload?lang=fi", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	res, err := br.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	_, _ = copyBody(&out, res)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(out.String(), "Hyväksyttyjä rivejä: 1. Hylättyjä rivejä: 1.") {
		t.Fatalf("upload: %d %s", res.StatusCode, out.String())
	}
	// What is due: the final report, 60 days after the project's end.
	if home := br.do(t, "GET", "/ui/home?lang=fi", nil, "Accept", "text/html"); !strings.Contains(string(home.body), "30.10.2023</time>: Loppuraportti erääntyy") {
		t.Errorf("the home page does not say when the final report is due: %s", home.body)
	}
	// The project page shows the new mobilities and the budget.
	pg := br.do(t, "GET", "/ui/projects/"+project+"?lang=fi", nil, "Accept", "text/html")
	for _, want := range []string{"Aikajana", "Liikkuvuudet (2)", "Avustussopimus allekirjoitettu", "Tiivisteketju on eheä", "Loppuraportin määräpäivä"} {
		if !strings.Contains(string(pg.body), want) {
			t.Errorf("the project page lacks %q", want)
		}
	}
}

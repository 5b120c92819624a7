package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// webScenario signs in with a token and reads the pages in both languages.
func webScenario(t *testing.T, st *story) {
	s := st.s
	br := newBrowser(s)
	client := br.c
	if in := br.signIn(t, st.own, url.Values{"next": {"/ui/projects/" + project}}); in.status != http.StatusSeeOther || in.header.Get("Location") != "/ui/projects/"+project {
		t.Fatalf("login: %d %s", in.status, in.header.Get("Location"))
	}
	page := func(path, lang string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", s.url+path, nil)
		req.Header.Set("Accept-Language", lang)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b strings.Builder
		_, _ = copyBody(&b, res)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", path, res.StatusCode, b.String())
		}
		return b.String()
	}
	fi := page("/ui/projects/"+project, "fi-FI,fi;q=0.9")
	for _, want := range []string{"Hanke", "Myönnetty avustus", "Jäljellä", "Liikkuvuudet (30)", "Matkatuki", "Yksilötuki", "Organisointituki", "Laskettu hakuvuoden 2022", "60\u00a0000,00\u00a0€", "Henkilöstön työssäoppiminen", "PART-M01"} {
		if !strings.Contains(fi, want) {
			t.Errorf("the Finnish project page lacks %q", want)
		}
	}
	en := page("/ui/projects/"+project+"?lang=en", "fi")
	for _, want := range []string{"Grant awarded", "Remaining", "Mobilities (30)", "Travel support", "Individual support", "Organisational support"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English project page lacks %q", want)
		}
	}
	h := page("/ui/projects/"+project+"/history", "en")
	if !strings.Contains(h, "Application decided") || !strings.Contains(h, "meets the quality threshold") || !strings.Contains(h, "rehtori/") {
		t.Errorf("the history page lacks the decision, its reason or the school's user")
	}
	// The audit trail's summaries are written in the page's language
	// from the events themselves, amounts and days in its locale.
	hfi := page("/ui/projects/"+project+"/history?lang=fi", "fi")
	for _, want := range []string{"Hakemus " + project + " hyväksytty", "\u00a0€", "Liikkuvuus M01: Henkilöstön"} {
		if !strings.Contains(hfi, want) {
			t.Errorf("the Finnish history page lacks the summary %q", want)
		}
	}
	o := page("/ui/organisations/"+school, "fi")
	if !strings.Contains(o, "Oulun koulu") || !strings.Contains(o, project) {
		t.Errorf("the organisation page lacks the school or its project")
	}
	// Another organisation's page does not exist for the school; a
	// browser is told so on a page in its language, not in JSON.
	req, _ := http.NewRequest("GET", s.url+"/ui/organisations/"+other+"?lang=fi", nil)
	req.Header.Set("Accept", "text/html")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var nf strings.Builder
	_, _ = copyBody(&nf, res)
	res.Body.Close()
	if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(nf.String(), "Sivua ei voi näyttää") || !strings.Contains(nf.String(), "organisation "+other+" not found") {
		t.Fatalf("another organisation's page: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), nf.String())
	}
	// A program that asks for no page still gets problem+json.
	req, _ = http.NewRequest("GET", s.url+"/ui/organisations/"+other, nil)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("another organisation's page without Accept: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Without the cookie a browser is sent to the sign-in page.
	req, _ = http.NewRequest("GET", s.url+"/ui/projects/"+project, nil)
	req.Header.Set("Accept", "text/html")
	res, err = (&http.Client{CheckRedirect: client.CheckRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/ui/login?next=") {
		t.Fatalf("anonymous page: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestImpossibleIDsInTheURLAreNotFound: an ID with a dot, a NATS wildcard
// or a space can name no resource. Every query answers it as a missing
// resource (404 problem, never 503 from the event store), a command names
// the field, percent-encoded IDs are decoded, and nothing is written.
func TestImpossibleIDsInTheURLAreNotFound(t *testing.T) {
	s := startSystem(t)
	s.clock.set("2024-01-10")
	office := s.token(t, "national-office", "", "virkailija")
	reg := s.must(t, 201, office, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	history := func() string {
		return string(s.must(t, 200, office, "GET", "/v1/organisations/"+school+"/history", nil, after(reg)...).body)
	}
	before := history()
	for _, id := range []string{"a.b", "*", "%3E", "E10000001.project.*", "a%20b", "a%2Eb"} {
		name, _ := url.PathUnescape(id)
		for _, tail := range []string{"", "/history", "/verification"} {
			a := s.call(t, office, "GET", "/v1/organisations/"+id+tail, nil)
			p := a.problem(t)
			if a.status != 404 || p.Detail != "organisation "+name+" not found" {
				t.Errorf("GET organisation %q%s: %d %q", id, tail, a.status, p.Detail)
			}
		}
		for _, tail := range []string{"", "/history", "/verification", "/mobilities", "/as-of?at=2024-01-01"} {
			a := s.call(t, office, "GET", "/v1/projects/"+id+tail, nil)
			if p := a.problem(t); a.status != 404 || p.Detail != "project "+name+" not found" {
				t.Errorf("GET project %q%s: %d %q", id, tail, a.status, p.Detail)
			}
		}
		a := s.call(t, office, "POST", "/v1/projects/"+id+"/eligibility", map[string]any{"outcome": "eligible"})
		if p := a.problem(t); a.status != 400 || p.Field != "project_id" || !strings.Contains(p.Detail, name) {
			t.Errorf("command on project %q: %d %+v", id, a.status, p)
		}
	}
	// An ID sent percent-encoded is the ID.
	a := s.must(t, 200, office, "GET", "/v1/organisations/E1000000%31", nil)
	if !strings.Contains(string(a.body), `"oid":"E10000001"`) {
		t.Fatalf("percent-encoded OID: %s", a.body)
	}
	if after := history(); after != before {
		t.Fatalf("the bad requests changed the history:\n%s\n%s", before, after)
	}
}

// TestSignInLandsOnTheCallersPage: without a next page every role is
// taken to its home page, in the language of the form.
func TestSignInLandsOnTheCallersPage(t *testing.T) {
	s := startSystem(t)
	for _, tc := range []struct {
		name, token, lang, want string
	}{
		{"beneficiary", s.token(t, "beneficiary", school, "rehtori"), "fi", "/ui/home?lang=fi"},
		{"beneficiary without language", s.token(t, "beneficiary", school, "rehtori"), "", "/ui/home"},
		{"national office", s.token(t, "national-office", "", "virkailija"), "sv", "/ui/home?lang=sv"},
		{"analyst", s.token(t, "analyst", "", "analyytikko"), "en", "/ui/home?lang=en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := newBrowser(s).signIn(t, tc.token, url.Values{"lang": {tc.lang}})
			if res.status != http.StatusSeeOther || res.header.Get("Location") != tc.want {
				t.Fatalf("%d %q, want %q", res.status, res.header.Get("Location"), tc.want)
			}
		})
	}
	// A mistyped token shows the form again, saying why, in the language.
	br := newBrowser(s)
	csrf := csrfOf(t, br.do(t, "GET", "/ui/login", nil))
	req, _ := http.NewRequest(http.MethodPost, s.url+"/ui/login?lang=fi", strings.NewReader(url.Values{"token": {"grants_wrong"}, "csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	bad, err := br.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var bb strings.Builder
	_, _ = copyBody(&bb, bad)
	bad.Body.Close()
	if bad.StatusCode != http.StatusUnauthorized || !strings.Contains(bb.String(), "Tunnistetta ei hyväksytty") || !strings.Contains(bb.String(), `name="token"`) {
		t.Fatalf("wrong token: %d %s", bad.StatusCode, bb.String())
	}
	res, err := http.Get(s.url + "/ui/login?signed_in=1&lang=fi")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	_, _ = copyBody(&b, res)
	res.Body.Close()
	if !strings.Contains(b.String(), "Olet kirjautunut sisään") {
		t.Fatalf("the signed-in page does not say so: %s", b.String())
	}
}

// TestHeadAnswersLikeGetWithoutABody: monitoring and link checkers use
// HEAD; it answers as GET does, with no body.
func TestHeadAnswersLikeGetWithoutABody(t *testing.T) {
	s := startSystem(t)
	office := s.token(t, "national-office", "", "virkailija")
	for _, tc := range []struct {
		path, token string
		status      int
	}{
		{"/healthz", "", 200},
		{"/v1/openapi.json", "", 200},
		{"/v1/projects", office, 200},
		{"/v1/projects", "", 401},
		{"/v1/projects/2022-1-FI01-KA122-SCH-999999999", office, 404},
	} {
		req, _ := http.NewRequest(http.MethodHead, s.url+tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", "Bearer "+tc.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = copyBody(&b, res)
		res.Body.Close()
		if res.StatusCode != tc.status || b.Len() != 0 || res.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d %q with %d bytes, want %d and no body", tc.path, res.StatusCode, res.Header.Get("Content-Type"), b.Len(), tc.status)
		}
	}
}

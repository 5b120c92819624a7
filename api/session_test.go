package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/api/auth"
)

// signedIn starts the system and signs a browser in as the school.
func signedIn(t *testing.T) (*system, *browser, string) {
	t.Helper()
	s := startSystem(t)
	own := s.token(t, "beneficiary", school, "rehtori")
	reg := s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	s.must(t, 200, own, "GET", "/v1/organisations/"+school, nil, after(reg)...) // the page can show it
	br := newBrowser(s)
	if a := br.signIn(t, own, nil); a.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", a.status, a.body)
	}
	return s, br, own
}

// page reads a page with the browser's cookies; it answers 200 while the
// session lives, 401 once it is over.
func (b *browser) page(t *testing.T) int {
	t.Helper()
	return b.do(t, "GET", "/ui/organisations/"+school, nil).status
}

func TestSessionCookieNeverHoldsTheToken(t *testing.T) {
	s := startSystem(t)
	own := s.token(t, "beneficiary", school, "rehtori")
	br := newBrowser(s)
	form := br.do(t, "GET", "/ui/login", nil)
	in := br.signIn(t, own, nil)
	if in.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", in.status, in.body)
	}
	var ses *http.Cookie
	for _, a := range []answer{form, in} {
		for _, c := range (&http.Response{Header: a.header}).Cookies() {
			if strings.Contains(c.Value, own) || strings.Contains(c.Value, auth.HashSecret(own)) || strings.Contains(own, c.Value) && c.Value != "" {
				t.Fatalf("cookie %s holds the token: %q", c.Name, c.Value)
			}
			if c.Name == "grants_session" {
				ses = c
			}
		}
	}
	if ses == nil {
		t.Fatalf("no session cookie: %v", in.header)
	}
	if !ses.HttpOnly || ses.SameSite != http.SameSiteLaxMode || ses.Path != "/" || ses.Secure {
		t.Fatalf("session cookie attributes %+v (Secure only over TLS)", ses)
	}
	if !strings.HasPrefix(ses.Value, auth.SessionPrefix) || len(ses.Value) < 40 {
		t.Fatalf("session ID %q", ses.Value)
	}
	// The session ID is no bearer token for the API.
	s.must(t, 401, ses.Value, "GET", "/v1/organisations/"+school, nil)
	// Nothing of the token in the national office's listing either.
	office := s.token(t, "national-office", "", "virkailija")
	list := s.must(t, 200, office, "GET", "/v1/sessions", nil)
	if strings.Contains(string(list.body), ses.Value) || strings.Contains(string(list.body), own) || strings.Contains(string(list.body), "csrf") {
		t.Fatalf("the listing shows a secret: %s", list.body)
	}
}

// TestSessionEndsWhenIdleOrTooOldOrRevoked: the rules that end a session,
// on the system's clock.
func TestSessionEndsWhenIdleOrTooOldOrRevoked(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, s *system, own string)
	}{
		{"idle timeout", func(t *testing.T, s *system, _ string) { s.clock.advance(auth.DefaultSessionIdle) }},
		{"maximum lifetime", nil},
		{"token revoked", func(t *testing.T, s *system, own string) {
			ts, err := s.tokens.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, tok := range ts {
				if tok.Hash == auth.HashSecret(own) {
					if _, err := s.tokens.Revoke(context.Background(), tok.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}},
		{"revoked by the national office", func(t *testing.T, s *system, _ string) {
			office := s.token(t, "national-office", "", "virkailija")
			var list []api.SessionInfo
			s.must(t, 200, office, "GET", "/v1/sessions", nil).json(t, &list)
			if len(list) != 1 || list[0].TokenID == "" || list[0].Org != school {
				t.Fatalf("sessions %+v", list)
			}
			s.must(t, 200, office, "DELETE", "/v1/sessions/"+list[0].ID, nil)
			s.must(t, 404, office, "DELETE", "/v1/sessions/"+list[0].ID, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, br, own := signedIn(t)
			if st := br.page(t); st != 200 {
				t.Fatalf("fresh session: %d", st)
			}
			if tc.end == nil {
				// Used every 20 minutes, it lives until 12 hours after
				// the sign-in, and not a minute longer.
				start := s.clock.Now()
				for s.clock.Now().Sub(start) < auth.DefaultSessionMax-20*time.Minute {
					s.clock.advance(20 * time.Minute)
					if st := br.page(t); st != 200 {
						t.Fatalf("a session in use refused after %v: %d", s.clock.Now().Sub(start), st)
					}
				}
				s.clock.advance(20 * time.Minute)
				if st := br.page(t); st != 401 {
					t.Fatalf("the session outlived its maximum lifetime: %d", st)
				}
				return
			}
			s.clock.advance(time.Minute)
			if st := br.page(t); st != 200 {
				t.Fatalf("a minute later: %d", st)
			}
			tc.end(t, s, own)
			if st := br.page(t); st != 401 {
				t.Fatalf("after %s: %d, want 401", tc.name, st)
			}
		})
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	s, br, _ := signedIn(t)
	pg := br.do(t, "GET", "/ui/organisations/"+school, nil)
	if pg.status != 200 || !strings.Contains(string(pg.body), `action="/ui/logout"`) {
		t.Fatalf("page without a sign-out form: %d %s", pg.status, pg.body)
	}
	old := br.cookie("grants_session").Value
	out := br.do(t, "POST", "/ui/logout", url.Values{"csrf": {csrfOf(t, pg)}, "lang": {"fi"}})
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/ui/login?lang=fi&signed_out=1" {
		t.Fatalf("sign-out: %d %s", out.status, out.header.Get("Location"))
	}
	if br.cookie("grants_session") != nil {
		t.Fatal("the browser keeps the session cookie")
	}
	if st := br.page(t); st != 401 {
		t.Fatalf("after sign-out: %d", st)
	}
	// The old session ID, replayed, is refused.
	replay := newBrowser(s)
	replay.jar.cookies = []*http.Cookie{{Name: "grants_session", Value: old, Path: "/"}}
	if st := replay.page(t); st != 401 {
		t.Fatalf("the ended session's ID still works: %d", st)
	}
}

// TestWebFormsNeedTheirAntiForgeryToken: a forged sign-in or sign-out is
// refused with 403 problem+json and changes nothing.
func TestWebFormsNeedTheirAntiForgeryToken(t *testing.T) {
	s, br, own := signedIn(t)
	pg := br.do(t, "GET", "/ui/organisations/"+school, nil)
	csrf := csrfOf(t, pg)
	refused := func(t *testing.T, a answer, field string) {
		t.Helper()
		if a.status != 403 {
			t.Fatalf("status %d, want 403: %s", a.status, a.body)
		}
		if p := a.problem(t); p.Field != field {
			t.Fatalf("problem %+v, want the field %s", p, field)
		}
	}
	t.Run("sign-out without the token", func(t *testing.T) {
		refused(t, br.do(t, "POST", "/ui/logout", url.Values{}), "csrf")
	})
	t.Run("sign-out with a wrong token", func(t *testing.T) {
		refused(t, br.do(t, "POST", "/ui/logout", url.Values{"csrf": {csrf + "x"}}), "csrf")
	})
	t.Run("sign-out with another session's token", func(t *testing.T) {
		other := newBrowser(s)
		other.signIn(t, own, nil)
		refused(t, br.do(t, "POST", "/ui/logout", url.Values{"csrf": {csrfOf(t, other.do(t, "GET", "/ui/organisations/"+school, nil))}}), "csrf")
	})
	t.Run("sign-out from another site", func(t *testing.T) {
		refused(t, br.do(t, "POST", "/ui/logout", url.Values{"csrf": {csrf}}, "Origin", "https://evil.example"), "Origin")
		refused(t, br.do(t, "POST", "/ui/logout", url.Values{"csrf": {csrf}}, "Sec-Fetch-Site", "cross-site"), "Sec-Fetch-Site")
	})
	if st := br.page(t); st != 200 {
		t.Fatalf("a refused sign-out ended the session: %d", st)
	}
	t.Run("sign-in without the form's token", func(t *testing.T) {
		fresh := newBrowser(s)
		refused(t, fresh.do(t, "POST", "/ui/login", url.Values{"token": {own}}), "csrf")
		if fresh.cookie("grants_session") != nil {
			t.Fatal("a forged sign-in opened a session")
		}
	})
	t.Run("sign-in with a token not matching the cookie", func(t *testing.T) {
		fresh := newBrowser(s)
		fresh.do(t, "GET", "/ui/login", nil)
		refused(t, fresh.do(t, "POST", "/ui/login", url.Values{"token": {own}, "csrf": {"forged-value-of-the-attacker"}}), "csrf")
	})
	t.Run("sign-in from another site", func(t *testing.T) {
		fresh := newBrowser(s)
		form := fresh.do(t, "GET", "/ui/login", nil)
		refused(t, fresh.do(t, "POST", "/ui/login", url.Values{"token": {own}, "csrf": {csrfOf(t, form)}}, "Origin", "null"), "Origin")
	})
	t.Run("a sign-in form open in two tabs", func(t *testing.T) {
		fresh := newBrowser(s)
		first := csrfOf(t, fresh.do(t, "GET", "/ui/login", nil))
		if second := csrfOf(t, fresh.do(t, "GET", "/ui/login", nil)); second != first {
			t.Fatalf("the second form's token %q replaced the first's %q", second, first)
		}
		if a := fresh.do(t, "POST", "/ui/login", url.Values{"token": {own}, "csrf": {first}}); a.status != http.StatusSeeOther {
			t.Fatalf("sign-in from the first tab: %d %s", a.status, a.body)
		}
	})
	t.Run("same-origin sign-out is accepted", func(t *testing.T) {
		u, _ := url.Parse(s.url)
		a := br.do(t, "POST", "/ui/logout", url.Values{"csrf": {csrf}}, "Origin", u.Scheme+"://"+u.Host, "Sec-Fetch-Site", "same-origin")
		if a.status != http.StatusSeeOther {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
	})
}

func TestMetricsNeedCredentials(t *testing.T) {
	s := startSystem(t)
	s.must(t, 401, "", "GET", "/metrics", nil).problem(t)
	s.must(t, 401, "grants_not-a-token-at-all-000000000", "GET", "/metrics", nil).problem(t)
	s.must(t, 403, s.token(t, "beneficiary", school, "rehtori"), "GET", "/metrics", nil).problem(t)
	if m := s.must(t, 200, s.token(t, "national-office", "", "virkailija"), "GET", "/metrics", nil); !strings.Contains(string(m.body), "grants_http_requests_total") {
		t.Fatalf("metrics: %s", m.body)
	}
}

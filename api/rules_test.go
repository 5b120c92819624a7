package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/rulebook"
	"github.com/erasmus-ledger/grants/api"
)

// TestRuleCatalogueIsServed reads the catalogue through the real server,
// with no token (rules are public), in each language chosen by ?lang= or
// Accept-Language.
func TestRuleCatalogueIsServed(t *testing.T) {
	s := startSystem(t)
	cases := []struct {
		name   string
		query  string
		accept string
		want   rulebook.Lang
	}{
		{"English by default", "", "", rulebook.English},
		{"Finnish by ?lang=fi", "?lang=fi", "", rulebook.Finnish},
		{"Swedish by ?lang=sv over Accept-Language", "?lang=sv", "fi", rulebook.Swedish},
		{"Finnish by Accept-Language fi-FI", "", "fi-FI,fi;q=0.9,en;q=0.5", rulebook.Finnish},
		{"Swedish by the highest q of Accept-Language", "", "de;q=1, en;q=0.3, sv;q=0.7", rulebook.Swedish},
		{"English when Accept-Language names no catalogue language", "", "de-DE, fr", rulebook.English},
		{"q=0 refuses a language", "", "fi;q=0", rulebook.English},
		{"q=0 leaves the next choice", "", "fi;q=0, sv;q=0.1", rulebook.Swedish},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hdr []string
			if c.accept != "" {
				hdr = []string{"Accept-Language", c.accept}
			}
			a := s.must(t, http.StatusOK, "", http.MethodGet, "/v1/rules"+c.query, nil, hdr...)
			if got := a.header.Get("Content-Language"); got != string(c.want) {
				t.Fatalf("Content-Language %q, want %q", got, c.want)
			}
			var list api.RuleList
			a.json(t, &list)
			all := rulebook.All()
			if list.Lang != string(c.want) || len(list.Rules) != len(all) {
				t.Fatalf("lang %q with %d rules, want %q with %d", list.Lang, len(list.Rules), c.want, len(all))
			}
			for i, r := range all {
				want, _ := r.In(c.want)
				got := list.Rules[i]
				if got.ID != r.ID || got.Text != want.Text || got.Title != want.Title || got.Source != r.Source || got.Href != "/v1/rules/"+r.ID {
					t.Fatalf("rule %d is %+v, want %s in %s: %q", i, got, r.ID, c.want, want.Text)
				}
			}
		})
	}
}

// TestRuleIsServedByID reads one rule, and refuses an unknown rule and an
// unknown language.
func TestRuleIsServedByID(t *testing.T) {
	s := startSystem(t)
	var got api.RuleView
	s.must(t, http.StatusOK, "", http.MethodGet, "/v1/rules/KA122-MAX-MOB?lang=sv", nil).json(t, &got)
	r, _ := rulebook.Lookup("KA122-MAX-MOB")
	want, _ := r.In(rulebook.Swedish)
	if got.ID != "KA122-MAX-MOB" || got.Lang != "sv" || got.Text != want.Text || got.Section != 2 || got.SectionTitle != "Nyckelåtgärder (projekttyper)" {
		t.Fatalf("got %+v, want KA122-MAX-MOB in Swedish: %q", got, want.Text)
	}

	p := s.must(t, http.StatusNotFound, "", http.MethodGet, "/v1/rules/NO-SUCH-RULE", nil).problem(t)
	if p.Type != api.ProblemsPath+"/not-found" || p.Code != "not-found" || p.Rule != "" {
		t.Fatalf("an unknown rule: %+v", p)
	}
	p = s.must(t, http.StatusBadRequest, "", http.MethodGet, "/v1/rules/KA122-MAX-MOB?lang=de", nil).problem(t)
	if p.Field != "lang" {
		t.Fatalf("an unknown language: %+v, want field lang", p)
	}
}

// TestProblemTypePointsAtItsRule breaks rules through the real server and
// follows each problem's "type" to the rule in the catalogue.
func TestProblemTypePointsAtItsRule(t *testing.T) {
	s := startSystem(t)
	own := s.token(t, "beneficiary", school, "rehtori")
	analyst := s.token(t, "analyst", "", "tilastot")
	org := map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"}
	s.must(t, http.StatusCreated, own, http.MethodPost, "/v1/organisations", org)
	cases := []struct {
		name  string
		token string
		path  string
		body  any
		rule  string
	}{
		{"ORG-REGISTERED: an organisation registered twice", own, "/v1/organisations", org, "ORG-REGISTERED"},
		{"CORE-TASKS: an analyst issues a command", analyst, "/v1/organisations", org, "CORE-TASKS"},
		{"INPUT-TEXT: a control character in a name", own, "/v1/organisations", map[string]any{"oid": "E10000099", "legal_name": "Oulun\x01koulu", "country": "FI", "city": "Oulu", "kind": "school"}, "INPUT-TEXT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := s.call(t, c.token, http.MethodPost, c.path, c.body).problem(t)
			if p.Rule != c.rule || p.Type != "/v1/rules/"+c.rule {
				t.Fatalf("rule %q with type %q, want %s at /v1/rules/%s", p.Rule, p.Type, c.rule, c.rule)
			}
			var rule api.RuleView
			s.must(t, http.StatusOK, "", http.MethodGet, p.Type, nil).json(t, &rule)
			if rule.ID != c.rule || rule.Text == "" {
				t.Fatalf("the type leads to %+v, want rule %s", rule, c.rule)
			}
		})
	}
}

// TestErrorPageLinksItsRule checks that a browser told of a broken rule
// gets a link to the rule in its language, with the rule's title.
func TestErrorPageLinksItsRule(t *testing.T) {
	s := startSystem(t)
	br := newBrowser(s)
	office := s.token(t, "national-office", "", "virkailija")
	if in := br.signIn(t, office, nil); in.status != http.StatusSeeOther {
		t.Fatalf("sign-in: %d %s", in.status, in.body)
	}
	a := br.do(t, http.MethodGet, "/ui/projects/bad%01id?lang=fi", nil, "Accept", "text/html")
	page := string(a.body)
	if a.status != http.StatusBadRequest || !strings.Contains(page, `<a href="/v1/rules/INPUT-TEXT?lang=fi">INPUT-TEXT</a>`) || !strings.Contains(page, `<strong>Puhdas teksti</strong>`) {
		t.Fatalf("status %d, want 400 with a link to INPUT-TEXT in Finnish: %s", a.status, page)
	}
}

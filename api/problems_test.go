package api_test

import (
	"net/http"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/rulebook"
	"github.com/erasmus-ledger/grants/api"
)

// TestProblemTitlesAndTypesPerCode proves on the real server that every
// problem has the title of its kind (the rule's English title when a rule
// is broken) and a type that resolves: a GET of it answers 200 with the
// documentation of that rule or kind.
func TestProblemTitlesAndTypesPerCode(t *testing.T) {
	s := startSystem(t)
	own := s.token(t, "beneficiary", school, "rehtori")
	office := s.token(t, "national-office", "", "virkailija")
	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	application := map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"title": "Kielet ja kulttuurit", "partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000}
	s.clock.set("2022-02-10")
	s.must(t, 201, own, "POST", "/v1/projects", application)

	ruleTitle := func(id string) string {
		r, ok := rulebook.Lookup(id)
		if !ok {
			t.Fatalf("no rule %s", id)
		}
		tx, _ := r.In(rulebook.English)
		return tx.Title
	}
	for _, tc := range []struct {
		name, token, method, path string
		body                      any
		status                    int
		code, title, rule         string
	}{
		{"invalid", own, "GET", "/v1/projects?status=nonsense", nil, 400, "invalid", "Invalid input", ""},
		{"not-found", own, "GET", "/v1/projects/2022-1-FI01-KA122-SCH-999999", nil, 404, "not-found", "Not found", ""},
		{"unauthenticated", "", "GET", "/v1/projects", nil, 401, "unauthenticated", "Not signed in", ""},
		{"forbidden", own, "GET", "/v1/organisations", nil, 403, "forbidden", "Forbidden", ""},
		{"ORG-REGISTERED", own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"}, 422, "rule-violation", ruleTitle("ORG-REGISTERED"), "ORG-REGISTERED"},
		{"precondition-failed", office, "POST", "/v1/projects/" + project + "/eligibility", map[string]any{"outcome": "eligible"}, 412, "precondition-failed", "Precondition failed", ""},
		{"CORE-TASKS", own, "POST", "/v1/projects/" + project + "/decision", map[string]any{"outcome": "approved", "awarded_cents": 1}, 403, "forbidden", ruleTitle("CORE-TASKS"), "CORE-TASKS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{}
			if tc.code == "precondition-failed" {
				hdr = []string{"If-Match", `"7"`}
			}
			p := s.must(t, tc.status, tc.token, tc.method, tc.path, tc.body, hdr...).problem(t)
			if p.Code != tc.code || p.Title != tc.title || p.Rule != tc.rule {
				t.Fatalf("got code %q title %q rule %q, want %q %q %q: %+v", p.Code, p.Title, p.Rule, tc.code, tc.title, tc.rule, p)
			}
			if p.Title == http.StatusText(p.Status) && tc.code != "forbidden" {
				t.Errorf("title %q is the bare reason phrase", p.Title)
			}
			wantType := api.ProblemsPath + "/" + tc.code
			if tc.rule != "" {
				wantType = api.RulesPath + "/" + tc.rule
			}
			if p.Type != wantType {
				t.Fatalf("type %q, want %q", p.Type, wantType)
			}
			// The type resolves: a public page of the API's documentation.
			if tc.rule != "" {
				var r api.RuleView
				s.must(t, 200, "", "GET", p.Type, nil).json(t, &r)
				if r.ID != tc.rule || r.Title != p.Title {
					t.Fatalf("the rule's page %+v does not match the problem %+v", r, p)
				}
				return
			}
			var k api.ProblemKind
			s.must(t, 200, "", "GET", p.Type, nil).json(t, &k)
			if k.Code != p.Code || k.Title != p.Title || k.Status != p.Status || k.Meaning == "" || k.Action == "" || k.Href != p.Type {
				t.Fatalf("the kind's page %+v does not match the problem %+v", k, p)
			}
		})
	}
}

// TestEveryProblemKindIsDocumented proves that every code has a page
// listed at /v1/problems, and that an unknown code is itself a problem
// whose type resolves.
func TestEveryProblemKindIsDocumented(t *testing.T) {
	s := startSystem(t)
	var list api.ProblemKindList
	s.must(t, 200, "", "GET", api.ProblemsPath, nil).json(t, &list)
	if len(list.Problems) != 10 {
		t.Fatalf("%d kinds, want 10: %+v", len(list.Problems), list)
	}
	for _, k := range list.Problems {
		if k.Title == "" || k.Meaning == "" || k.Action == "" || k.Status < 400 {
			t.Errorf("kind %+v is not documented", k)
		}
		s.must(t, 200, "", "GET", k.Href, nil)
	}
	p := s.must(t, 404, "", "GET", api.ProblemsPath+"/no-such-kind", nil).problem(t)
	if p.Type != api.ProblemsPath+"/not-found" || p.Title != "Not found" {
		t.Fatalf("an unknown kind: %+v", p)
	}
}

// TestLimitOutOfRangeIsRefused proves that limit says what it does: 1 to
// 1000, anything else (0 included) a 400 naming the field limit.
func TestLimitOutOfRangeIsRefused(t *testing.T) {
	s := startSystem(t)
	office := s.token(t, "national-office", "", "virkailija")
	for _, bad := range []string{"0", "-1", "1001"} {
		for _, path := range []string{"/v1/projects", "/v1/organisations"} {
			p := s.must(t, 400, office, "GET", path+"?limit="+bad, nil).problem(t)
			if p.Field != "limit" || p.Code != "invalid" {
				t.Fatalf("%s?limit=%s: %+v, want field limit", path, bad, p)
			}
		}
	}
	for _, good := range []string{"1", "1000"} {
		s.must(t, 200, office, "GET", "/v1/projects?limit="+good, nil)
	}
	s.must(t, 200, office, "GET", "/v1/projects", nil)
}

package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/api"
)

// roleMatrix tries every route of the table with no token, each role, and
// a beneficiary of another organisation. It proves that a role outside a
// route's roles is refused (401/403), that another organisation's
// resources do not exist for a beneficiary (404, not 403), that nothing of
// the school shows in a foreign or analyst answer that it should not, and
// that no route answers 500.
func roleMatrix(t *testing.T, st *story) {
	s := st.s
	// A web session for the national office to revoke.
	br := newBrowser(s)
	br.signIn(t, st.analy, nil)
	var sessions []api.SessionInfo
	s.must(t, 200, st.office, "GET", "/v1/sessions", nil).json(t, &sessions)
	if len(sessions) == 0 {
		t.Fatal("no web session listed")
	}
	fill := strings.NewReplacer(":op", "withdrawApplication", ":command", "submitApplication", ":sid", sessions[len(sessions)-1].ID, ":oid", school, ":aid", "ACC-2022-SCH", ":id", project, ":mid", "M01", ":pid", "PART-M01", ":year", "2022")
	// What a missing resource answers: a foreign one must answer the same.
	missing := strings.NewReplacer(":op", "withdrawApplication", ":command", "submitApplication", ":oid", "E99999999", ":aid", "ACC-2022-SCH", ":id", "2022-1-FI01-KA122-SCH-999999999", ":mid", "M01", ":pid", "PART-M01", ":year", "2022")
	// An accreditation application to withdraw and decide.
	acc := s.must(t, 200, st.office, "POST", "/v1/organisations/"+school+"/accreditations", map[string]any{"accreditation_id": "ACC-2022-SCH", "field": "school", "kind": "single",
		"strategy_attached": true, "plan": map[string]any{"from_year": 2024, "to_year": 2027, "objectives": []any{map[string]any{"text": "languages", "indicators": []string{"CEFR"}}}}})
	// Let the read models take in the application, so that /readyz below
	// does not see them behind the stream.
	st.lastSeq = acc.seq()
	s.must(t, 200, st.office, "GET", "/v1/organisations/"+school, nil, after(acc)...)
	callers := []struct{ name, role, token string }{
		{"anonymous", "", ""}, {"beneficiary", "beneficiary", st.own}, {"foreign beneficiary", "beneficiary", st.foreign},
		{"national office", "national-office", st.office}, {"analyst", "analyst", st.analy},
	}
	for _, r := range s.server.Routes() {
		path := fill.Replace(r.Path)
		hasOwnPath := strings.Contains(r.Path, ":id") || strings.Contains(r.Path, ":oid") || strings.Contains(r.Path, ":pid")
		query := ""
		switch r.OperationID {
		case "getParticipant":
			query = "?org=" + school
		case "projectAsOf", "organisationAsOf":
			query = "?at=2023-01-01"
		case "participantAccessExport":
			query = "?reason=the+data+subject+asked"
		}
		path += query
		missingPath := missing.Replace(r.Path) + strings.ReplaceAll(query, school, "E99999999")
		for _, c := range callers {
			t.Run(r.OperationID+"/"+c.name, func(t *testing.T) {
				var body any
				switch {
				case r.RequestType == "text/csv":
					body = ""
				case r.Method != http.MethodGet:
					body = map[string]any{}
				}
				a := s.call(t, c.token, r.Method, path, body, "Grants-Min-Sequence", st.lastSeq)
				allowed := slices.Contains(r.Roles, c.role)
				switch {
				case a.status >= 500:
					t.Fatalf("status %d: %s", a.status, a.body)
				case len(r.Roles) == 0:
					// The sign-in form is refused without its anti-forgery
					// token (proved in session_test.go).
					if a.status == 403 && r.OperationID != "webLoginSubmit" {
						t.Fatalf("public route answered 403")
					}
				case c.token == "":
					if a.status != 401 {
						t.Fatalf("no token: status %d", a.status)
					}
				case !allowed:
					if a.status != 403 {
						t.Fatalf("role %s not in %v: status %d, want 403: %s", c.role, r.Roles, a.status, a.body)
					}
				case c.name == "foreign beneficiary" && hasOwnPath:
					if a.status != 404 {
						t.Fatalf("another organisation's resource: status %d, want 404: %s", a.status, a.body)
					}
					// Exactly what a resource that does not exist answers.
					m := s.call(t, c.token, r.Method, missingPath, body)
					got, want := a.problem(t), m.problem(t)
					norm := strings.NewReplacer(project, "X", "2022-1-FI01-KA122-SCH-999999999", "X", school, "Y", "E99999999", "Y")
					if m.status != 404 || norm.Replace(got.Detail) != norm.Replace(want.Detail) || got.Type != want.Type {
						t.Fatalf("a foreign resource is told apart from a missing one:\n%s\n%s", a.body, m.body)
					}
				default:
					if a.status == 401 || a.status == 403 || a.status == 404 {
						t.Fatalf("allowed caller refused: %d %s", a.status, a.body)
					}
					if r.Method == http.MethodGet && a.status != 200 {
						t.Fatalf("query status %d: %s", a.status, a.body)
					}
				}
				if a.status >= 400 {
					a.problem(t)
				}
				text := string(a.body)
				if c.name == "foreign beneficiary" && a.status < 300 && (strings.Contains(text, project) || strings.Contains(text, "PART-M")) {
					t.Fatalf("the school's data leaks to another organisation: %.300s", text)
				}
				if c.role == "analyst" && (strings.Contains(text, "Aino") || strings.Contains(text, "@koulu")) {
					t.Fatalf("personal data leaks to an analyst: %.300s", text)
				}
			})
		}
	}
}

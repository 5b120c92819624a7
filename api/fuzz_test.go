package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
)

// commandRoutes lists the command routes with their paths filled in.
func commandRoutes(u *unitServer) []Route {
	var out []Route
	for _, r := range u.s.Routes() {
		if r.Command != "" && r.Request != nil {
			out = append(out, r)
		}
	}
	return out
}

func fillPath(p string) string {
	r := strings.NewReplacer(":oid", "E10000001", ":aid", "2024-1-FI01-KA120-SCH-000000001", ":id", "P1", ":mid", "M1")
	return r.Replace(p)
}

// FuzzCommandDecoders sends arbitrary bodies to every command route: no
// input may produce a 500 or a panic, and every refusal is problem+json.
func FuzzCommandDecoders(f *testing.F) {
	for i, body := range []string{
		`{}`, `null`, `[]`, `"x"`, `{"project_id":"P1"}`, `{"outcome":"approved","awarded_cents":1200000}`,
		`{"oid":"E10000001","legal_name":"Koulu","country":"FI","city":"Oulu","kind":"school"}`,
		`{"mobility_id":"M1","participant_id":"p1","activity":"SM-JOB-SHDW","start_date":"2024-03-01","end_date":"2024-03-10","sending_organisation":"A","receiving_organisation":"B","sending_country":"FI","receiving_country":"SE","receiving_city":"Umeå","distance_km":600}`,
		`{"start_date":"2024-02-30"}`, `{"amount_cents":-1e309}`, `{"plan":{"objectives":[{"text":"x","indicators":[1]}]}}`,
		`{"ukraine":{"documents":["x"],"category":"pupil"}}`, `{"awarded_cents":9223372036854775808}`, "{\"title\":\"\xff\"}",
	} {
		f.Add(uint8(i), []byte(body))
	}
	u := newUnitServer(f, nil)
	routes := commandRoutes(u)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		r := routes[int(which)%len(routes)]
		req := httptest.NewRequest(r.Method, fillPath(r.Path), strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+u.tokens[aggregates.RoleNationalOffice])
		w := httptest.NewRecorder()
		u.s.Handler().ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s with %q: status %d %s", r.Method, r.Path, body, w.Code, w.Body)
		}
		CheckContract(t, u.s, req, body, w.Code, w.Header(), w.Body.Bytes())
		if w.Code >= 400 && !strings.HasPrefix(w.Header().Get("Content-Type"), ProblemContentType) {
			t.Fatalf("%s: refusal %d is not problem+json", r.Path, w.Code)
		}
	})
}

// FuzzMobilityCSV uploads arbitrary CSV: never a 500 or a panic.
func FuzzMobilityCSV(f *testing.F) {
	header := strings.Join([]string{"mobility_id", "participant_id", "activity", "start_date", "end_date", "sending_organisation", "receiving_organisation", "sending_country", "receiving_country", "receiving_city", "distance_km", "green_travel", "ukraine_documents"}, ",")
	for _, s := range []string{
		"", "\n", header + "\n",
		header + "\nM1,p1,SM-JOB-SHDW,2024-03-01,2024-03-10,A,B,FI,SE,Umeå,600,true,\n",
		header + "\nM1,p1,SM-JOB-SHDW,2024-03-01,2024-03-10,A,B,FI,SE,Umeå,x,maybe,a;b\n",
		header + "\n\"unterminated,\n", "bogus_column\n1\n", "mobility_id,mobility_id\n",
	} {
		f.Add([]byte(s))
	}
	u := newUnitServer(f, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/projects/P1/mobilities.csv", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "text/csv")
		req.Header.Set("Authorization", "Bearer "+u.tokens[aggregates.RoleBeneficiary])
		w := httptest.NewRecorder()
		u.s.Handler().ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%q: status %d %s", body, w.Code, w.Body)
		}
		CheckContract(t, u.s, req, body, w.Code, w.Header(), w.Body.Bytes())
	})
}

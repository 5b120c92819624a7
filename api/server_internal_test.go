package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// unitServer is a server over fakes, with one token per role.
type unitServer struct {
	s      *Server
	cmds   *fakeCommands
	tokens map[string]string // role (or "foreign") -> secret
}

func newUnitServer(t testing.TB, tweak func(*Deps)) *unitServer {
	t.Helper()
	clock := events.ClockFunc(func() time.Time { return time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC) })
	svc := auth.NewService(auth.NewMemoryStore(), clock)
	u := &unitServer{cmds: &fakeCommands{orgs: map[string]string{"P1": "E10000001", "P2": "E20000002"}}, tokens: map[string]string{}}
	for name, req := range map[string]auth.CreateRequest{
		aggregates.RoleBeneficiary:    {Role: aggregates.RoleBeneficiary, Org: "E10000001", Name: "school"},
		"foreign":                     {Role: aggregates.RoleBeneficiary, Org: "E20000002", Name: "other"},
		aggregates.RoleNationalOffice: {Role: aggregates.RoleNationalOffice, Name: "officer"},
		aggregates.RoleAnalyst:        {Role: aggregates.RoleAnalyst, Name: "analyst"},
	} {
		_, secret, err := svc.Create(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		u.tokens[name] = secret
	}
	d := Deps{Commands: u.cmds, Reader: emptyReader{}, Tokens: svc, Clock: clock, MaxBodyBytes: 4096}
	if tweak != nil {
		tweak(&d)
	}
	s, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	u.s = s
	return u
}

func (u *unitServer) do(t *testing.T, role, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+u.tokens[role])
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	u.s.Handler().ServeHTTP(w, req)
	CheckContract(t, u.s, req, []byte(body), w.Code, w.Header(), w.Body.Bytes())
	return w
}

func problemBody(t *testing.T, w *httptest.ResponseRecorder) Problem {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, ProblemContentType) {
		t.Fatalf("status %d with Content-Type %q, want %s; body %s", w.Code, ct, ProblemContentType, w.Body)
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != w.Code || p.Type == "" || p.Title == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, w.Code)
	}
	return p
}

func TestEveryAppErrorCodeHasOneStatus(t *testing.T) {
	want := map[apperr.Code]int{
		apperr.Invalid: 400, apperr.Unauthenticated: 401, apperr.Forbidden: 403, apperr.NotFound: 404,
		apperr.Conflict: 409, apperr.PreconditionFailed: 412, apperr.RuleViolation: 422,
		apperr.TooManyRequests: 429, apperr.Unavailable: 503, apperr.Internal: 500,
	}
	for code, status := range want {
		if got := StatusOf(&apperr.Error{Code: code}); got != status {
			t.Errorf("%s: status %d, want %d", code, got, status)
		}
	}
	if len(statusByCode) != len(want) {
		t.Errorf("statusByCode has %d codes, the test knows %d", len(statusByCode), len(want))
	}
}

func TestProblemShowsRuleFieldVersionButNoInternals(t *testing.T) {
	p := problemOf(apperr.RuleField("KA122-MAX-MOB", "mobility_id", "a KA122 project has at most 30 mobilities; this would be the 31st"))
	if p.Status != 422 || p.Rule != "KA122-MAX-MOB" || p.Field != "mobility_id" || !strings.Contains(p.Detail, "31st") {
		t.Fatalf("rule violation problem %+v", p)
	}
	p = problemOf(&apperr.Error{Code: apperr.Conflict, Message: "moved on", Version: 7})
	if p.Status != 409 || p.Version == nil || *p.Version != 7 {
		t.Fatalf("conflict problem %+v", p)
	}
	p = problemOf(io.ErrUnexpectedEOF)
	if p.Status != 500 || strings.Contains(p.Detail, "EOF") {
		t.Fatalf("internal problem leaks its cause: %+v", p)
	}
}

func TestEchoErrorsAreProblems(t *testing.T) {
	u := newUnitServer(t, nil)
	if w := u.do(t, "", http.MethodGet, "/v1/nothing-here", ""); w.Code != 404 {
		t.Fatalf("unknown route: %d", w.Code)
	} else {
		problemBody(t, w)
	}
	if w := u.do(t, "", http.MethodPatch, "/v1/projects", ""); w.Code != 405 {
		t.Fatalf("wrong method: %d", w.Code)
	} else {
		problemBody(t, w)
	}
	big := `{"title":"` + strings.Repeat("x", 5000) + `"}`
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects", big)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("body too large: %d %s", w.Code, w.Body)
	}
	problemBody(t, w)
	if n := len(u.cmds.requests()); n != 0 {
		t.Fatalf("an oversized body reached the command handler %d times", n)
	}
}

func TestUnauthenticated(t *testing.T) {
	u := newUnitServer(t, nil)
	for _, h := range []string{"", "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer " + auth.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		w := u.do(t, "", http.MethodGet, "/v1/projects", "", "Authorization", h)
		if w.Code != 401 || w.Header().Get("WWW-Authenticate") == "" {
			t.Fatalf("Authorization %q: %d, WWW-Authenticate %q", h, w.Code, w.Header().Get("WWW-Authenticate"))
		}
		problemBody(t, w)
	}
}

func TestDecodeRefusesUnknownFieldsAndNamesTheField(t *testing.T) {
	u := newUnitServer(t, nil)
	for _, tc := range []struct{ name, body, field string }{
		{"unknown field", `{"outcome":"approved","awarded_cents":100,"bogus":1}`, "bogus"},
		{"wrong type", `{"outcome":"approved","awarded_cents":"lots"}`, "awarded_cents"},
		{"path disagrees", `{"project_id":"P2","outcome":"approved","awarded_cents":100}`, "project_id"},
		{"not an object", `[1,2]`, ""},
		{"two values", `{} {}`, ""},
		{"broken", `{"outcome":`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/decision", tc.body)
			if w.Code != 400 {
				t.Fatalf("status %d, body %s", w.Code, w.Body)
			}
			if p := problemBody(t, w); p.Field != tc.field {
				t.Fatalf("field %q, want %q (%s)", p.Field, tc.field, p.Detail)
			}
		})
	}
	if n := len(u.cmds.requests()); n != 0 {
		t.Fatalf("malformed bodies reached the command handler %d times", n)
	}
}

func TestCommandPassesActorKeyReasonAndIfMatch(t *testing.T) {
	u := newUnitServer(t, nil)
	w := u.do(t, aggregates.RoleBeneficiary, http.MethodPost, "/v1/projects/P1/reports/final", `{"summary":"done"}`,
		HeaderIdempotencyKey, "k-1", "If-Match", `"4"`, HeaderReason, "end%20of%20project%20%C3%A4")
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	reqs := u.cmds.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	cmd, ok := r.Command.(aggregates.SubmitFinalReport)
	if !ok || cmd.ProjectID != "P1" || cmd.Summary != "done" {
		t.Fatalf("command %#v", r.Command)
	}
	if r.Actor.Role != aggregates.RoleBeneficiary || r.Actor.Org != "E10000001" || !strings.HasPrefix(r.Actor.UserID, "school/tok_") {
		t.Fatalf("actor %+v", r.Actor)
	}
	if r.IdempotencyKey != "k-1" || r.IfMatch == nil || *r.IfMatch != 4 || r.Reason != "end of project ä" || r.CorrelationID == "" {
		t.Fatalf("request %+v", r)
	}
	if w.Header().Get("ETag") != `"1"` || w.Header().Get(HeaderSequence) != "1" {
		t.Fatalf("headers %v", w.Header())
	}
}

func TestForeignProjectIsNotFoundNotForbidden(t *testing.T) {
	u := newUnitServer(t, nil)
	mine := u.do(t, "foreign", http.MethodPost, "/v1/projects/P1/reports/final", `{}`)
	missing := u.do(t, "foreign", http.MethodPost, "/v1/projects/NOPE/reports/final", `{}`)
	if mine.Code != 404 || missing.Code != 404 {
		t.Fatalf("foreign %d, missing %d", mine.Code, missing.Code)
	}
	a, b := problemBody(t, mine), problemBody(t, missing)
	if strings.ReplaceAll(a.Detail, "P1", "X") != strings.ReplaceAll(b.Detail, "NOPE", "X") {
		t.Fatalf("a foreign project is told apart from a missing one: %q vs %q", a.Detail, b.Detail)
	}
	if n := len(u.cmds.requests()); n != 0 {
		t.Fatalf("a foreign command reached the handler")
	}
}

func TestReadYourWritesWaitIsBounded(t *testing.T) {
	u := newUnitServer(t, func(d *Deps) { d.MaxWait = 50 * time.Millisecond; d.Reader = emptyReader{checkpoint: 10} })
	if w := u.do(t, aggregates.RoleAnalyst, http.MethodGet, "/v1/projects?min_seq=10", ""); w.Code != 200 || w.Header().Get(HeaderSequence) != "10" {
		t.Fatalf("caught-up read: %d %v", w.Code, w.Header())
	}
	w := u.do(t, aggregates.RoleAnalyst, http.MethodGet, "/v1/projects", "", HeaderMinSequence, "11")
	if w.Code != 503 {
		t.Fatalf("read ahead of the projections: %d %s", w.Code, w.Body)
	}
	problemBody(t, w)
	if w := u.do(t, aggregates.RoleAnalyst, http.MethodGet, "/v1/projects?min_seq=x", ""); w.Code != 400 {
		t.Fatalf("bad min_seq: %d", w.Code)
	}
}

func TestRateLimit(t *testing.T) {
	u := newUnitServer(t, func(d *Deps) { d.RatePerSecond, d.Burst = 0.001, 2 })
	codes := []int{}
	for i := 0; i < 3; i++ {
		codes = append(codes, u.do(t, aggregates.RoleAnalyst, http.MethodGet, "/v1/projects", "").Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != 429 {
		t.Fatalf("codes %v, want 200 200 429", codes)
	}
	if w := u.do(t, aggregates.RoleNationalOffice, http.MethodGet, "/v1/projects", ""); w.Code != 200 {
		t.Fatalf("another token is limited too: %d", w.Code)
	}
}

func TestBodiesOfTheWrongTypeOrSizeAreRefused(t *testing.T) {
	u := newUnitServer(t, func(d *Deps) { d.MaxUploadBytes = 2048 })
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/decision", `{}`, "Content-Type", "text/plain")
	if p := problemBody(t, w); w.Code != 400 || p.Field != "Content-Type" {
		t.Fatalf("text/plain command: %d %+v", w.Code, p)
	}
	w = u.do(t, aggregates.RoleBeneficiary, http.MethodPost, "/v1/projects/P1/mobilities.csv", strings.Repeat("a,b\n", 1000), "Content-Type", "text/csv")
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized CSV: %d %s", w.Code, w.Body)
	}
	problemBody(t, w)
	// A body without Content-Length is cut at the bound while reading.
	req := httptest.NewRequest(http.MethodPost, "/v1/projects/P1/mobilities.csv", io.MultiReader(strings.NewReader(strings.Repeat("a,b\n", 1000))))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+u.tokens[aggregates.RoleBeneficiary])
	rec := httptest.NewRecorder()
	u.s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized chunked CSV: %d %s", rec.Code, rec.Body)
	}
}

func TestUploadAnswersCSVWhenAsked(t *testing.T) {
	u := newUnitServer(t, nil)
	body := "mobility_id,participant_id,activity,start_date,end_date,sending_organisation,receiving_organisation,sending_country,receiving_country,receiving_city,distance_km\n" +
		"M1,p1,SM-JOB-SHDW,2022-09-05,2022-09-09,A,B,FI,DE,Berlin,1100\n" +
		"M2,p2,SM-JOB-SHDW,2022-09-05,2022-09-09,A,B,FI,DE,Berlin,far\n"
	w := u.do(t, aggregates.RoleBeneficiary, http.MethodPost, "/v1/projects/P1/mobilities.csv", "", "Content-Type", "text/csv", "Accept", "text/csv")
	if w.Code != 400 {
		t.Fatalf("empty upload: %d", w.Code)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/projects/P1/mobilities.csv", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Accept", "text/csv")
	req.Header.Set("Authorization", "Bearer "+u.tokens[aggregates.RoleBeneficiary])
	rec := httptest.NewRecorder()
	u.s.Handler().ServeHTTP(rec, req)
	want := "line,mobility_id,status,rule,field,column,message,sequence\n2,M1,accepted,,,,,1\n3,M2,refused,,distance_km,distance_km,\"column distance_km must be a whole number, not \"\"far\"\"\",\n"
	if rec.Code != 200 || rec.Body.String() != want {
		t.Fatalf("CSV answer %d:\n%s\nwant\n%s", rec.Code, rec.Body, want)
	}
}

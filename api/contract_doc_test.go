package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
)

// recordingT records the errors of a contract check instead of failing.
type recordingT struct {
	testing.TB
	errs []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recordingT) Helper() {}

// TestContractCheckCatchesDrift proves that the contract check fails when
// an answer or an accepted request is not as the document says.
func TestContractCheckCatchesDrift(t *testing.T) {
	u := newUnitServer(t, nil)
	for name, c := range map[string]struct {
		method, path, body string
		status             int
		answer             string
	}{
		"an answer field of the wrong type":  {"GET", "/healthz", "", 200, `{"status":1,"checkpoint":0}`},
		"an answer with an undeclared field": {"GET", "/healthz", "", 200, `{"status":"up","checkpoint":0,"extra":true}`},
		"an undeclared status":               {"GET", "/healthz", "", 299, `{"status":"up","checkpoint":0}`},
		"a value outside the enum accepted":  {"POST", "/v1/projects/P1/decision", `{"outcome":"maybe"}`, 200, `{}`},
		"an undocumented route answered":     {"GET", "/v1/nowhere", "", 200, `{}`},
	} {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+u.tokens[aggregates.RoleNationalOffice])
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := &recordingT{TB: t}
			CheckContract(rec, u.s, req, []byte(c.body), c.status, http.Header{"Content-Type": {"application/json"}}, []byte(c.answer))
			if len(rec.errs) == 0 {
				t.Fatal("the contract check passed")
			}
		})
	}
}

// TestOpenAPIDocumentReadsAsTheDomain proves the points of the contract a
// client author relies on: domain schema names, enums from the domain,
// required fields, public routes marked public, headers declared.
func TestOpenAPIDocumentReadsAsTheDomain(t *testing.T) {
	u := newUnitServer(t, nil)
	var doc struct {
		Paths map[string]map[string]struct {
			Security   *[]any `json:"security"`
			Parameters []struct {
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Required   []string                  `json:"required"`
				Properties map[string]map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(u.s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	for name, sc := range doc.Components.Schemas {
		if strings.ContainsAny(name, ".[") {
			t.Errorf("schema name %q leaks Go", name)
		}
		// A client generator names the enum of a field after its
		// component and field (Project.status: ProjectStatus): that name
		// must not be another component's.
		for field, p := range sc.Properties {
			if _, isEnum := p["enum"]; isEnum {
				if _, taken := doc.Components.Schemas[name+exportedName(field)]; taken {
					t.Errorf("the enum %s.%s would be named like the component %s%s", name, field, name, exportedName(field))
				}
			}
		}
	}
	rm, ok := doc.Components.Schemas["ReportMobility"]
	if !ok {
		t.Fatal("no ReportMobility schema")
	}
	enum, _ := rm.Properties["activity"]["enum"].([]any)
	if len(enum) == 0 || enum[0] == "" {
		t.Errorf("activity has no enum: %v", rm.Properties["activity"])
	}
	if !contains(rm.Required, "mobility_id") || contains(rm.Required, "project_id") {
		t.Errorf("ReportMobility required %v: want mobility_id, not project_id (from the URL)", rm.Required)
	}
	if act, _ := doc.Components.Schemas["SubmitApplication"].Properties["action"]["enum"].([]any); len(act) != len(aggregates.Actions()) {
		t.Errorf("action enum %v", act)
	}
	if sec := doc.Paths["/healthz"]["get"].Security; sec == nil || len(*sec) != 0 {
		t.Errorf("public /healthz security %v, want []", sec)
	}
	var headers []string
	for _, p := range doc.Paths["/v1/projects/{id}/decision"]["post"].Parameters {
		headers = append(headers, p.Name)
	}
	for _, h := range []string{HeaderReason, HeaderEffectiveAt, HeaderIdempotencyKey, "If-Match"} {
		if !contains(headers, h) {
			t.Errorf("decision does not declare %s: %v", h, headers)
		}
	}
	for _, h := range []string{HeaderMinSequence} {
		found := false
		for _, p := range doc.Paths["/v1/projects/{id}"]["get"].Parameters {
			found = found || p.Name == h
		}
		if !found {
			t.Errorf("getProject does not declare %s", h)
		}
	}
}

// TestIfMatchComparesStrongly proves RFC 9110's strong comparison: a weak
// entity tag never matches If-Match, so the command is refused with 412
// and never runs.
func TestIfMatchComparesStrongly(t *testing.T) {
	u := newUnitServer(t, nil)
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/decision", `{"outcome":"approved","awarded_cents":100}`, "If-Match", `W/"1"`)
	if w.Code != http.StatusPreconditionFailed {
		t.Fatalf("weak If-Match: %d %s", w.Code, w.Body)
	}
	if p := problemBody(t, w); p.Field != "If-Match" {
		t.Fatalf("problem %+v", p)
	}
	if n := len(u.cmds.requests()); n != 0 {
		t.Fatalf("the command ran %d times", n)
	}
	w = u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/decision", `{"outcome":"approved","awarded_cents":100}`, "If-Match", `"1"`)
	if w.Code != http.StatusOK {
		t.Fatalf("strong If-Match: %d %s", w.Code, w.Body)
	}
}

package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
)

// TestOpenAPIDocumentsExactlyTheRegisteredRoutes proves that every route
// Echo serves is in the document and every documented route is served.
func TestOpenAPIDocumentsExactlyTheRegisteredRoutes(t *testing.T) {
	u := newUnitServer(t, nil)
	w := u.do(t, "", http.MethodGet, "/v1/openapi.json", "")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comps   struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range u.s.Echo().Routes() {
		if r.Method == "echo_route_not_found" {
			continue
		}
		served[r.Method+" "+openAPIPath(r.Path)] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("served but not documented: %v\ndocumented but not served: %v", missing, extra)
	}
	if len(served) < 40 {
		t.Fatalf("only %d routes", len(served))
	}
	// Every $ref points at a defined schema.
	for _, ref := range strings.Split(w.Body.String(), `"$ref": "#/components/schemas/`)[1:] {
		name := ref[:strings.Index(ref, `"`)]
		if _, ok := doc.Comps.Schemas[name]; !ok {
			t.Errorf("$ref to undefined schema %s", name)
		}
	}
}

// TestEveryCommandHasARoute proves that each command of the domain can be
// issued through the API.
func TestEveryCommandHasARoute(t *testing.T) {
	u := newUnitServer(t, nil)
	byCommand := map[string]bool{}
	for _, r := range u.s.Routes() {
		if r.Command != "" {
			byCommand[r.Command] = true
			if r.Method == http.MethodGet {
				t.Errorf("command route %s is a GET", r.OperationID)
			}
		}
	}
	for _, c := range aggregates.AllCommands() {
		if !byCommand[c.CommandType()] {
			t.Errorf("command %s has no route", c.CommandType())
		}
	}
}

func TestMetricsExposeRequestsCommandsAndLag(t *testing.T) {
	u := newUnitServer(t, nil)
	u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/decision", `{"outcome":"approved","awarded_cents":100}`)
	u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/decision", `{"outcome":"maybe"}`)
	u.do(t, aggregates.RoleAnalyst, http.MethodGet, "/v1/projects", "")
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodGet, "/metrics", "")
	body := w.Body.String()
	for _, want := range []string{
		`grants_http_requests_total{method="GET",route="/v1/projects",status="200"} 1`,
		`grants_commands_total{outcome="ok",rule="",type="DecideApplication"} 1`,
		`grants_commands_total{outcome="invalid",rule="",type="DecideApplication"} 1`,
		`grants_http_request_duration_seconds_bucket{method="POST",route="/v1/projects/:id/decision",status="200"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

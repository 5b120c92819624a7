package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/erasmus-ledger/grants/api/internal/fielddocs"
)

// openAPIDoc decodes the served document into plain maps.
func openAPIDoc(t *testing.T) map[string]any {
	t.Helper()
	u := newUnitServer(t, nil)
	var doc map[string]any
	if err := json.Unmarshal(u.s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// schemasOf returns the components of the document by name.
func schemasOf(doc map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, s := range doc["components"].(map[string]any)["schemas"].(map[string]any) {
		out[name] = s.(map[string]any)
	}
	return out
}

// TestEverySchemaPropertyParameterAndHeaderIsDescribed: a client author
// reads what each thing means in the document, not in the Go code.
func TestEverySchemaPropertyParameterAndHeaderIsDescribed(t *testing.T) {
	doc := openAPIDoc(t)
	var missing []string
	for name, sc := range schemasOf(doc) {
		if d, _ := sc["description"].(string); d == "" {
			missing = append(missing, "schema "+name)
		}
		props, _ := sc["properties"].(map[string]any)
		for p, v := range props {
			if d, _ := v.(map[string]any)["description"].(string); d == "" {
				missing = append(missing, "property "+name+"."+p)
			}
		}
	}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			op := op.(map[string]any)
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				p := p.(map[string]any)
				if d, _ := p["description"].(string); d == "" {
					missing = append(missing, "parameter "+p["name"].(string)+" of "+method+" "+path)
				}
			}
			for status, r := range op["responses"].(map[string]any) {
				headers, _ := r.(map[string]any)["headers"].(map[string]any)
				for h, v := range headers {
					if d, _ := v.(map[string]any)["description"].(string); d == "" {
						missing = append(missing, "header "+h+" of "+status+" of "+method+" "+path)
					}
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("%d without a description (add a doc comment to the Go field and run go generate ./api, or an entry to propertyDescriptions):\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

// TestFieldDocsAreCurrent: fielddocs_gen.go holds the doc comments of the
// code as it is (run go generate ./api after changing one).
func TestFieldDocsAreCurrent(t *testing.T) {
	want, err := fielddocs.Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("fielddocs_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("api/fielddocs_gen.go is stale: run go generate ./api")
	}
}

// TestIDPatternsMatchTheValidators: the pattern of every ID in the
// document accepts exactly what the domain's validators accept.
func TestIDPatternsMatchTheValidators(t *testing.T) {
	samples := []string{"", "E10012345", "E1001234", "E100123456", "e10012345", "X10012345",
		"2024-1-FR01-KA122-SCH-000123", "M-0001", "P_1", "a b", "a.b", "a*", "a>", "Ä", strings.Repeat("a", 64), strings.Repeat("a", 65)}
	patterns := map[string]bool{}
	for _, p := range idPatterns {
		patterns[p] = true
	}
	for _, p := range pathParamPatterns {
		patterns[p] = true
	}
	for p := range patterns {
		re := regexp.MustCompile(p)
		for _, s := range samples {
			if re.MatchString(s) != validID(p, s) {
				t.Errorf("pattern %s says %v for %q, the validator %v", p, re.MatchString(s), s, validID(p, s))
			}
		}
	}
	doc := openAPIDoc(t)
	rm := schemasOf(doc)["ReportMobility"]["properties"].(map[string]any)
	if rm["project_id"].(map[string]any)["pattern"] != tokenPattern {
		t.Errorf("ReportMobility.project_id has no ID pattern: %v", rm["project_id"])
	}
	ro := schemasOf(doc)["RegisterOrganisation"]["properties"].(map[string]any)
	if ro["oid"].(map[string]any)["pattern"] != oidPattern {
		t.Errorf("RegisterOrganisation.oid has no OID pattern: %v", ro["oid"])
	}
}

// enumeratedNames are the JSON names of fields whose values come from a
// list; openEnumerations are those of them that are free text or an open
// set all the same.
var (
	enumeratedNames  = regexp.MustCompile(`^(status|kind|role|action|actions|field|fields|activity|outcome|flag|category|resolution|aggregate_kind|documents)$`)
	openEnumerations = map[string]string{
		"Problem.field":          "the input field at fault, a JSON path",
		"BulkRow.field":          "the input field at fault",
		"ProblemKind.action":     "what to do, in plain English",
		"BudgetLine.category":    "a category of the rates table, which the office may extend",
		"GrantLine.category":     "a category of the rates table, which the office may extend",
		"GrantLineView.category": "a category of the rates table, which the office may extend",
	}
)

// TestEnumeratedFieldsListTheirValues: every field whose values come from
// a list of the domain carries that list as enum.
func TestEnumeratedFieldsListTheirValues(t *testing.T) {
	for name, sc := range schemasOf(openAPIDoc(t)) {
		props, _ := sc["properties"].(map[string]any)
		for p, v := range props {
			v := v.(map[string]any)
			if !enumeratedNames.MatchString(p) || openEnumerations[name+"."+p] != "" {
				continue
			}
			target := v
			if items, ok := v["items"].(map[string]any); ok {
				target = items
			}
			if target["type"] != "string" {
				continue
			}
			if _, ok := target["enum"]; !ok {
				t.Errorf("%s.%s lists no values", name, p)
			}
		}
	}
}

// notSingleResources are the GET routes without an ETag, and why.
var notSingleResources = map[string]string{
	"/healthz": "a probe", "/readyz": "a probe", "/metrics": "a scrape",
	"/v1/organisations/:oid/verification": "a check run on each call", "/v1/projects/:id/verification": "a check run on each call",
	"/v1/audit/verification":     "a check run on each call",
	"/v1/exports/mobilities.csv": "an export", "/v1/exports/events.ndjson": "an export, streamed",
	"/v1/organisations/:oid/participants/:pid/access-export": "a right-of-access export, recorded as a disclosure each time", "/v1/exports/statistics/mobilities.csv": "an export", "/v1/exports/statistics/projects.csv": "an export",
}

// TestEverySingleResourceCarriesAnETag: every GET route that answers one
// resource (not a list, a page, statistics, a probe, a check or an
// export; the web pages aside) says in the table that it sends an ETag,
// which the document then declares (and the contract checks of the API
// tests hold it to).
func TestEverySingleResourceCarriesAnETag(t *testing.T) {
	u := newUnitServer(t, nil)
	for _, r := range u.s.Routes() {
		if r.Method != "GET" || r.ETag || r.Conditional || strings.HasPrefix(r.Path, "/ui/") || r.success() == http.StatusSeeOther || notSingleResources[r.Path] != "" {
			continue
		}
		if r.Response != nil {
			rt := reflect.TypeOf(r.Response)
			if rt.Kind() == reflect.Slice || strings.HasSuffix(rt.Name(), "Page") || strings.HasSuffix(rt.Name(), "List") || strings.HasSuffix(rt.Name(), "Index") {
				continue
			}
		}
		t.Errorf("GET %s answers one resource without an ETag", r.Path)
	}
}

// TestEverySchemaExampleIsValid: every component has an example, and
// kin-openapi finds each one valid against its schema.
func TestEverySchemaExampleIsValid(t *testing.T) {
	u := newUnitServer(t, nil)
	d, err := openapi3.NewLoader().LoadFromData(u.s.openapi)
	if err != nil {
		t.Fatal(err)
	}
	for name, sc := range schemasOf(openAPIDoc(t)) {
		examples, _ := sc["examples"].([]any)
		if len(examples) == 0 {
			t.Errorf("%s has no example", name)
			continue
		}
		ref := d.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("kin-openapi lost the schema %s", name)
		}
		for _, ex := range examples {
			if err := ref.Value.VisitJSON(ex, openapi3.MultiErrors()); err != nil {
				t.Errorf("the example of %s breaks its schema: %v", name, err)
			}
		}
	}
}

// TestDatesAndTimesCarryAFormat: a text that holds a day or an instant
// (the fields named *_on, *_date, *_at, deadline, start_to) says so with
// format date or date-time, and an e-mail address with format email.
func TestDatesAndTimesCarryAFormat(t *testing.T) {
	timeLike := regexp.MustCompile(`(_on|_date|_at)$|^(at|deadline|start_to|email)$`)
	for name, sc := range schemasOf(openAPIDoc(t)) {
		props, _ := sc["properties"].(map[string]any)
		for p, v := range props {
			v := v.(map[string]any)
			if v["type"] == "string" && timeLike.MatchString(p) && v["format"] == nil {
				t.Errorf("%s.%s has no format", name, p)
			}
		}
	}
}

// TestRequestBodyIsRequiredWhenTheCommandHasARequiredField: a command
// with a required body field needs a body; one whose fields all come from
// the URL or are optional may send none (an empty body is read as {}).
func TestRequestBodyIsRequiredWhenTheCommandHasARequiredField(t *testing.T) {
	doc := openAPIDoc(t)
	schemas := schemasOf(doc)
	checked := map[bool]int{}
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			body, ok := op.(map[string]any)["requestBody"].(map[string]any)
			if !ok {
				continue
			}
			media, ok := body["content"].(map[string]any)["application/json"].(map[string]any)
			if !ok {
				continue
			}
			ref, _ := media["schema"].(map[string]any)["$ref"].(string)
			req, _ := schemas[strings.TrimPrefix(ref, "#/components/schemas/")]["required"].([]any)
			if body["required"] != (len(req) > 0) {
				t.Errorf("%s %s: requestBody required %v, its schema requires %v", method, path, body["required"], req)
			}
			checked[len(req) > 0]++
		}
	}
	if checked[true] == 0 || checked[false] == 0 {
		t.Fatalf("bodies checked: %v, want both kinds", checked)
	}
}

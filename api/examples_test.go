package api

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// pathSamples are valid values of the fields a command takes from the URL.
var pathSamples = map[string]string{
	"project_id": "2024-1-FR01-KA122-SCH-000123", "oid": "E10012345",
	"accreditation_id": "2024-1-FR01-KA120-SCH-000045", "mobility_id": "M-0001",
	"request_id": "IS-1", "member_oid": "E10054321", "participant_id": "P-0001",
}

// TestRequiredFieldsAreThoseTheCommandsRequire proves, for every command
// route, that its example passes the document and the command's own
// validation, that leaving out a field the document requires is refused
// by both, and that leaving out a field the document calls optional is
// accepted: "required" in the document is what the server requires.
func TestRequiredFieldsAreThoseTheCommandsRequire(t *testing.T) {
	u := newUnitServer(t, nil)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Required []string `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(u.s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range u.s.Routes() {
		if r.Command == "" || r.Request == nil {
			continue
		}
		t.Run(r.Command, func(t *testing.T) {
			raw, ok := commandExamples[r.Command]
			if !ok {
				t.Fatalf("no example for %s", r.Command)
			}
			var members map[string]json.RawMessage
			if err := json.Unmarshal([]byte(raw), &members); err != nil {
				t.Fatal(err)
			}
			required := doc.Components.Schemas[reflect.TypeOf(r.Request).Name()].Required
			if err := u.validateBody(t, r, raw); err != nil {
				t.Fatalf("the example breaks the document: %v", err)
			}
			if err := commandAccepts(r, members); err != nil {
				t.Fatalf("the example breaks the command's validation: %v", err)
			}
			for _, f := range required {
				if _, ok := members[f]; !ok {
					t.Errorf("the example lacks the required field %s", f)
				}
			}
			names := make([]string, 0, len(members))
			for f := range members {
				names = append(names, f)
			}
			sort.Strings(names)
			for _, f := range names {
				without := map[string]json.RawMessage{}
				for k, v := range members {
					if k != f {
						without[k] = v
					}
				}
				body, _ := json.Marshal(without)
				docErr := u.validateBody(t, r, string(body))
				cmdErr := commandAccepts(r, without)
				switch isReq := contains(required, f); {
				case isReq && docErr == nil:
					t.Errorf("%s is required but the document takes a body without it", f)
				case isReq && cmdErr == nil:
					t.Errorf("the document requires %s but the command accepts a body without it", f)
				case !isReq && cmdErr != nil && conditionalFields[r.Command+"."+f] == "":
					t.Errorf("the document calls %s optional but the command refuses a body without it: %v", f, cmdErr)
				}
			}
		})
	}
}

// commandAccepts decodes members into the route's command, as the server
// does, and runs the command's validation.
func commandAccepts(r Route, members map[string]json.RawMessage) error {
	body, _ := json.Marshal(members)
	bound := map[string]string{}
	for _, f := range r.BodyFromPath {
		bound[f] = pathSamples[f]
	}
	p := reflect.New(reflect.TypeOf(r.Request))
	if err := decodeStrict(body, p.Interface(), bound); err != nil {
		return err
	}
	return p.Elem().Interface().(interface{ Validate() error }).Validate()
}

// validateBody checks a request of route r with body against the document.
func (u *unitServer) validateBody(t *testing.T, r Route, body string) error {
	t.Helper()
	path := r.Path
	for _, seg := range r.pathParams() {
		sample := "X1"
		if pathParamPatterns[seg] == oidPattern {
			sample = "E10012345"
		}
		path = strings.Replace(path, ":"+seg, sample, 1)
	}
	req := httptest.NewRequest(r.Method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer x")
	return validateRequest(t, u.s, req, []byte(body))
}

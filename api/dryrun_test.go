package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/api"
)

// signedProject registers the school and takes its KA122 project through
// approval and signature; the clock stands in the project's first autumn,
// after the mobilities of thirtyFirst ended.
// signedProject returns the answer of its last command (read after it
// with after()).
func signedProject(t *testing.T, s *system, own, office string) answer {
	t.Helper()
	s.clock.set("2022-01-10")
	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	s.clock.set("2022-02-10")
	s.must(t, 201, own, "POST", "/v1/projects", map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"title": "Kielet ja kulttuurit", "partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000})
	s.clock.set("2022-04-01")
	s.must(t, 200, office, "POST", "/v1/projects/"+project+"/eligibility", map[string]any{"outcome": "eligible"})
	s.clock.set("2022-05-20")
	s.must(t, 200, office, "POST", "/v1/projects/"+project+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 6_000_000}, api.HeaderReason, "meets the quality threshold")
	s.clock.set("2022-06-10")
	signed := s.must(t, 200, own, "POST", "/v1/projects/"+project+"/agreement", map[string]any{"agreement_no": "GA-2022-1"})
	s.clock.set("2022-10-10")
	return signed
}

// TestDryRunAnswersTheDecisionAndRecordsNothing: ?dry_run=true on a
// command route answers the events the command would record (here the
// mobility's grant breakdown) with 200, or the problem naming the rule at
// fault, and the project does not change.
func TestDryRunAnswersTheDecisionAndRecordsNothing(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	signed := signedProject(t, s, own, office)
	m := thirtyFirst()
	m["mobility_id"] = "M01"
	before := s.must(t, 200, own, "GET", "/v1/projects/"+project, nil, after(signed)...).header.Get("ETag")
	var dr api.CommandResponse
	s.must(t, 200, own, "POST", "/v1/projects/"+project+"/mobilities?dry_run=true", m).json(t, &dr)
	if !dr.DryRun || len(dr.Events) != 1 || dr.Events[0].Type != "MobilityReported" || dr.Events[0].ID != "" {
		t.Fatalf("dry run answer: %+v", dr)
	}
	var ev struct {
		Grant struct {
			TotalCents int64 `json:"total_cents"`
		} `json:"grant"`
	}
	if err := json.Unmarshal(dr.Events[0].Payload, &ev); err != nil || ev.Grant.TotalCents <= 0 {
		t.Fatalf("dry run grant: %s (%v)", dr.Events[0].Payload, err)
	}
	if after := s.must(t, 200, own, "GET", "/v1/projects/"+project, nil).header.Get("ETag"); after != before {
		t.Fatalf("the dry run changed the project: %s -> %s", before, after)
	}
	s.must(t, 404, own, "GET", "/v1/projects/"+project+"/mobilities/M01", nil)
	// A dry run refused names the rule and the field.
	bad := thirtyFirst()
	bad["mobility_id"], bad["end_date"] = "M02", "2022-10-03"
	p := s.must(t, 422, own, "POST", "/v1/projects/"+project+"/mobilities?dry_run=true", bad).problem(t)
	if p.Rule == "" || !strings.Contains(p.Detail, "2") {
		t.Fatalf("refused dry run: %+v", p)
	}
	// The office's decision routes offer it too, and a bad value is refused.
	s.must(t, 400, own, "POST", "/v1/projects/"+project+"/mobilities?dry_run=perhaps", m)
	s.must(t, 201, own, "POST", "/v1/projects/"+project+"/mobilities", m)
}

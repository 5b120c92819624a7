package api_test

import "testing"

// TestDeadlinesAndConsortiumOverHTTP: the office records the deadline flags
// due on a project (once), the overdue project is listed and shows its
// flags (LIFE-REPORT-DUE); it registers a consortium member, refused for an
// unregistered organisation, and the membership is listed (CONS-MEMBER).
func TestDeadlinesAndConsortiumOverHTTP(t *testing.T) {
	s := startSystem(t)
	own := s.token(t, "beneficiary", school, "rehtori")
	office := s.token(t, "national-office", "", "virkailija")
	s.clock.set("2022-01-10")
	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	s.clock.set("2022-02-10")
	s.must(t, 201, own, "POST", "/v1/projects", map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000})
	s.clock.set("2022-04-01")
	s.must(t, 200, office, "POST", "/v1/projects/"+project+"/eligibility", map[string]any{"outcome": "eligible"})
	s.clock.set("2022-05-20")
	s.must(t, 200, office, "POST", "/v1/projects/"+project+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 6_000_000})
	s.clock.set("2022-06-10")
	signed := s.must(t, 200, own, "POST", "/v1/projects/"+project+"/agreement", map[string]any{"agreement_no": "GA-2022-1"})

	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	s.must(t, 200, office, "GET", "/v1/projects?overdue=true", nil, after(signed)...).json(t, &page)
	if len(page.Items) != 0 {
		t.Fatalf("overdue projects before any flag: %+v", page)
	}

	// The final report was due on 2023-10-30.
	s.clock.set("2023-10-31")
	first := s.must(t, 200, office, "POST", "/v1/projects/"+project+"/deadline-flags", map[string]any{})
	var res struct {
		Events []struct {
			Type string `json:"type"`
		} `json:"events"`
	}
	first.json(t, &res)
	if len(res.Events) != 1 || res.Events[0].Type != "DeadlineFlagRaised" {
		t.Fatalf("first check wrote %s", first.body)
	}
	second := s.must(t, 200, office, "POST", "/v1/projects/"+project+"/deadline-flags", map[string]any{})
	res.Events = nil
	second.json(t, &res)
	if len(res.Events) != 0 {
		t.Fatalf("second check wrote again: %s", second.body)
	}
	s.must(t, 200, office, "GET", "/v1/projects?overdue=true", nil, after(first)...).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != project {
		t.Fatalf("overdue projects: %+v", page)
	}
	var status struct {
		Deadlines struct {
			Overdue bool `json:"overdue"`
			Flags   []struct {
				Flag string `json:"flag"`
			} `json:"flags"`
		} `json:"deadlines"`
	}
	s.must(t, 200, own, "GET", "/v1/projects/"+project, nil, after(first)...).json(t, &status)
	if !status.Deadlines.Overdue || len(status.Deadlines.Flags) != 1 || status.Deadlines.Flags[0].Flag != "final-report-overdue" {
		t.Fatalf("project deadlines: %+v", status.Deadlines)
	}
	s.must(t, 200, office, "GET", "/v1/projects?overdue=false", nil)
	s.must(t, 400, office, "GET", "/v1/projects?overdue=maybe", nil)
	s.must(t, 403, own, "POST", "/v1/projects/"+project+"/deadline-flags", map[string]any{})

	// Consortium members.
	s.must(t, 200, own, "POST", "/v1/organisations/"+school+"/accreditations", map[string]any{"accreditation_id": "ACC-CONS", "field": "school", "kind": "consortium",
		"strategy_attached": true, "plan": map[string]any{"from_year": 2023, "to_year": 2027, "objectives": []any{map[string]any{"text": "kielitaito", "indicators": []any{"CEFR"}}}}})
	s.must(t, 200, office, "POST", "/v1/organisations/"+school+"/accreditations/ACC-CONS/decision", map[string]any{"outcome": "granted"})
	if p := s.must(t, 422, office, "POST", "/v1/organisations/"+school+"/accreditations/ACC-CONS/members", map[string]any{"member_oid": other}).problem(t); p.Rule != "CONS-MEMBER" {
		t.Fatalf("unregistered member: %+v", p)
	}
	s.must(t, 201, office, "POST", "/v1/organisations", map[string]any{"oid": other, "legal_name": "Tampereen koulu", "country": "FI", "city": "Tampere", "kind": "school"})
	s.must(t, 403, own, "POST", "/v1/organisations/"+school+"/accreditations/ACC-CONS/members", map[string]any{"member_oid": other})
	added := s.must(t, 200, office, "POST", "/v1/organisations/"+school+"/accreditations/ACC-CONS/members", map[string]any{"member_oid": other})
	var members []struct {
		MemberOID string `json:"member_oid"`
		RemovedOn string `json:"removed_on"`
	}
	s.must(t, 200, own, "GET", "/v1/organisations/"+school+"/consortium-members", nil, after(added)...).json(t, &members)
	if len(members) != 1 || members[0].MemberOID != other || members[0].RemovedOn != "" {
		t.Fatalf("members: %+v", members)
	}
	removed := s.must(t, 200, office, "POST", "/v1/organisations/"+school+"/accreditations/ACC-CONS/members/"+other+"/removal", map[string]any{"reason": "left"})
	s.must(t, 200, own, "GET", "/v1/organisations/"+school+"/consortium-members", nil, after(removed)...).json(t, &members)
	if len(members) != 1 || members[0].RemovedOn != "2023-10-31" {
		t.Fatalf("members after removal: %+v", members)
	}
}

package api_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/api"
)

// TestCallsAndRatesAreTheOfficesData runs the national office's reference
// data through the real server: no round is open on 2026-12-06; a round
// the office publishes opens applications (CALL-DEADLINE) within its start
// window (CALL-START); a correction closes it; a rates table is corrected
// with its source and confirmed flag; a recomputation is the office's
// recorded decision. Beneficiaries and analysts read, only the office writes.
func TestCallsAndRatesAreTheOfficesData(t *testing.T) {
	s := startSystem(t)
	s.clock.set("2026-12-06")
	office := s.token(t, aggregates.RoleNationalOffice, "", "officer")
	own := s.token(t, aggregates.RoleBeneficiary, "E10000001", "teacher")
	analyst := s.token(t, aggregates.RoleAnalyst, "", "analyst")

	var calls api.CallsList
	s.must(t, 200, own, "GET", "/v1/calls", nil).json(t, &calls)
	if calls.Open != 0 || len(calls.Rounds) == 0 || calls.Rounds[0].Origin != aggregates.OriginBuiltIn {
		t.Fatalf("on 2026-12-06: %d open of %d rounds, want none open", calls.Open, len(calls.Rounds))
	}

	round := map[string]any{"call_year": 2027, "round": 1, "action": "KA122", "deadline": "2027-02-18",
		"start_from": "2027-06-01", "start_to": "2027-12-31"}
	if p := s.must(t, 403, own, "POST", "/v1/calls", round).problem(t); p.Rule != "CORE-TASKS" {
		t.Fatalf("a beneficiary publishing a round: %+v", p)
	}
	s.must(t, 403, analyst, "POST", "/v1/calls", round)
	s.must(t, 201, office, "POST", "/v1/calls", round)
	s.must(t, 409, office, "POST", "/v1/calls", round)
	s.must(t, 200, analyst, "GET", "/v1/calls?open=true", nil).json(t, &calls)
	if calls.Open != 1 || len(calls.Rounds) != 1 || calls.Rounds[0].CallYear != 2027 || !calls.Rounds[0].Open ||
		calls.Rounds[0].StartFrom != aggregates.MustDate("2027-06-01") || calls.Rounds[0].Origin != aggregates.OriginPublished || calls.Rounds[0].ClosesAt.Format("2006-01-02T15:04Z07:00") != "2027-02-18T11:00Z" {
		t.Fatalf("open rounds after publishing: %+v", calls)
	}

	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": "E10000001", "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	app := func(id, start, end string) map[string]any {
		return map[string]any{"project_id": id, "oid": "E10000001", "action": "KA122", "field": "school", "call_year": 2027, "round": 1,
			"start_date": start, "end_date": end, "requested_cents": 6000000}
	}
	if p := s.must(t, 422, own, "POST", "/v1/projects", app("P-EARLY", "2027-05-01", "2028-04-30")).problem(t); p.Rule != "CALL-START" {
		t.Fatalf("a start before the window: %+v", p)
	}
	s.must(t, 201, own, "POST", "/v1/projects", app("P-2027", "2027-06-01", "2028-05-31"))

	fix := map[string]any{"call_year": 2027, "round": 1, "action": "KA122", "deadline": "2026-12-05", "reason": "published by mistake"}
	s.must(t, 403, own, "POST", "/v1/calls/corrections", fix)
	if p := s.must(t, 400, office, "POST", "/v1/calls/corrections", map[string]any{"call_year": 2027, "round": 1, "action": "KA122", "deadline": "2026-12-05"}).problem(t); p.Field != "reason" {
		t.Fatalf("a correction without a reason: %+v", p)
	}
	s.must(t, 200, office, "POST", "/v1/calls/corrections", fix)
	s.must(t, 200, own, "GET", "/v1/calls?call_year=2027", nil).json(t, &calls)
	if calls.Open != 0 || len(calls.Rounds) != 1 || calls.Rounds[0].Deadline != aggregates.MustDate("2026-12-05") || calls.Rounds[0].Origin != aggregates.OriginCorrected {
		t.Fatalf("after the correction: %+v", calls)
	}
	if p := s.must(t, 422, own, "POST", "/v1/projects", app("P-LATE", "2027-06-01", "2028-05-31")).problem(t); p.Rule != "CALL-DEADLINE" {
		t.Fatalf("an application after the corrected deadline: %+v", p)
	}
	// The application submitted before the correction stands.
	a := s.must(t, 200, own, "GET", "/v1/projects/P-2027", nil)
	if a.status != http.StatusOK {
		t.Fatal(a.status)
	}

	// Rates: the 2026 table is unconfirmed until the office corrects it.
	var idx api.RatesIndex
	s.must(t, 200, own, "GET", "/v1/rates", nil).json(t, &idx)
	if !hasYear(idx, 2026, false) {
		t.Fatalf("rates index: %+v", idx)
	}
	var t2026 rates.Table
	s.must(t, 200, own, "GET", "/v1/rates/2026", nil).json(t, &t2026)
	t2026.Source, t2026.Confirmed = "Programme Guide 2026, confirmed by the national office", true
	body, err := json.Marshal(t2026)
	if err != nil {
		t.Fatal(err)
	}
	s.must(t, 409, office, "POST", "/v1/rates", map[string]any{"call_year": 2026, "table": json.RawMessage(body)})
	s.must(t, 403, own, "POST", "/v1/rates/corrections", map[string]any{"call_year": 2026, "table": json.RawMessage(body), "reason": "confirmed"})
	bad := map[string]any{"call_year": 2026, "table": map[string]any{"call_year": 2026}, "reason": "confirmed"}
	if p := s.must(t, 400, office, "POST", "/v1/rates/corrections", bad).problem(t); p.Field == "" {
		t.Fatalf("an incomplete table: %+v", p)
	}
	s.must(t, 200, office, "POST", "/v1/rates/corrections", map[string]any{"call_year": 2026, "table": json.RawMessage(body), "reason": "confirmed"})
	s.must(t, 200, analyst, "GET", "/v1/rates", nil).json(t, &idx)
	if !hasYear(idx, 2026, true) {
		t.Fatalf("rates index after the correction: %+v", idx)
	}
	var got rates.Table
	s.must(t, 200, own, "GET", "/v1/rates/2026", nil).json(t, &got)
	if !got.Confirmed || got.Source != t2026.Source {
		t.Fatalf("2026 table after the correction: %s, confirmed %v", got.Source, got.Confirmed)
	}
	t2028 := t2026
	t2028.CallYear = 2028
	body28, _ := json.Marshal(t2028)
	s.must(t, 201, office, "POST", "/v1/rates", map[string]any{"call_year": 2028, "table": json.RawMessage(body28)})
	s.must(t, 200, own, "GET", "/v1/rates/2028", nil)

	// Recomputation is the office's decision, recorded; a beneficiary may not.
	rc := map[string]any{"reason": "rates of 2027 corrected"}
	s.must(t, 403, own, "POST", "/v1/projects/P-2027/grant-recomputation", rc)
	res := s.must(t, 200, office, "POST", "/v1/projects/P-2027/grant-recomputation", rc)
	var cr api.CommandResponse
	res.json(t, &cr)
	if len(cr.Events) != 1 || cr.Events[0].Type != "GrantsRecomputed" {
		t.Fatalf("recomputation recorded %+v", cr.Events)
	}
	// The read models went past every reference event: the history shows them.
	var h struct {
		Items []struct {
			Type    string `json:"what"`
			Summary string `json:"summary"`
		} `json:"items"`
	}
	s.must(t, 200, office, "GET", "/v1/projects/P-2027/history?min_seq="+res.seq(), nil).json(t, &h)
	if n := len(h.Items); n == 0 || h.Items[n-1].Type != "GrantsRecomputed" {
		t.Fatalf("history: %+v", h.Items)
	}
}

func hasYear(idx api.RatesIndex, year int, confirmed bool) bool {
	for _, t := range idx.Tables {
		if t.CallYear == year {
			return t.Confirmed == confirmed && t.Source != ""
		}
	}
	return false
}

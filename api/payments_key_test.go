package api_test

import (
	"testing"

	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/projections"
)

// TestPaymentIDsArePerProject: a payment ID names a payment within its
// project; two projects that both record "PF1" each list their own
// payment (the read model keys payments by project and ID).
func TestPaymentIDsArePerProject(t *testing.T) {
	s := startSystem(t)
	office := s.token(t, "national-office", "", "virkailija")
	const second = "2022-1-FI01-KA122-SCH-000000002"
	owners := map[string]string{project: school, second: other}
	tokens := map[string]string{project: s.token(t, "beneficiary", school, "rehtori"), second: s.token(t, "beneficiary", other, "rektor")}
	for _, id := range []string{project, second} {
		s.clock.set("2022-01-10")
		s.must(t, 201, tokens[id], "POST", "/v1/organisations", map[string]any{"oid": owners[id], "legal_name": "Koulu " + owners[id], "country": "FI", "city": "Oulu", "kind": "school"})
	}
	for _, id := range []string{project, second} {
		own := tokens[id]
		s.clock.set("2022-02-10")
		s.must(t, 201, own, "POST", "/v1/projects", map[string]any{"project_id": id, "oid": owners[id], "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
			"title": "Kielet ja kulttuurit", "partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000})
		s.clock.set("2022-04-01")
		s.must(t, 200, office, "POST", "/v1/projects/"+id+"/eligibility", map[string]any{"outcome": "eligible"})
		s.clock.set("2022-05-20")
		s.must(t, 200, office, "POST", "/v1/projects/"+id+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 6_000_000}, api.HeaderReason, "meets the quality threshold")
		s.clock.set("2022-06-10")
		s.must(t, 200, own, "POST", "/v1/projects/"+id+"/agreement", map[string]any{"agreement_no": "GA-" + id})
	}
	s.clock.set("2022-06-20")
	amounts := map[string]int64{project: 1_000_000, second: 2_000_000}
	for _, id := range []string{project, second} {
		s.must(t, 200, office, "POST", "/v1/projects/"+id+"/payments", map[string]any{"payment_id": "PF1", "kind": "pre-financing", "amount_cents": amounts[id]})
	}
	for _, id := range []string{project, second} {
		var pays []projections.PaymentView
		s.must(t, 200, office, "GET", "/v1/projects/"+id+"/payments", nil).json(t, &pays)
		if len(pays) != 1 || pays[0].ID != "PF1" || pays[0].ProjectID != id || pays[0].AmountCents != amounts[id] {
			t.Errorf("payments of %s: %+v; want its own PF1 of %d", id, pays, amounts[id])
		}
	}
}

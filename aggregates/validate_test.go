package aggregates

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
)

func TestValidateFieldPaths(t *testing.T) {
	okMobility := jobShadow("M1")
	cases := []struct {
		name  string
		cmd   Validator
		field string
	}{
		{"bad OID", RegisterOrganisation{OID: "X1", LegalName: "A", Country: "FI", City: "H", Kind: OrgSchool}, "oid"},
		{"unknown country", RegisterOrganisation{OID: testOrg, LegalName: "A", Country: "XX", City: "H", Kind: OrgSchool}, "country"},
		{"unknown organisation kind", RegisterOrganisation{OID: testOrg, LegalName: "A", Country: "FI", City: "H", Kind: "club"}, "kind"},
		{"empty legal name", RegisterOrganisation{OID: testOrg, LegalName: " ", Country: "FI", City: "H", Kind: OrgSchool}, "legal_name"},
		{"empty indicator", ApplyForAccreditation{OID: testOrg, AccreditationID: "A1", Field: FieldVET, Kind: AccreditationSingle,
			Plan: ErasmusPlan{FromYear: 2021, ToYear: 2023, Objectives: []Objective{{Text: "x", Indicators: []string{"ok", ""}}}}}, "plan.objectives[0].indicators[1]"},
		{"accreditation in youth", ApplyForAccreditation{OID: testOrg, AccreditationID: "A1", Field: FieldYouth, Kind: AccreditationSingle,
			Plan: ErasmusPlan{FromYear: 2021, ToYear: 2023}}, "field"},
		{"second partner's country", with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.Partners[1].Country = "ZZ" }), "partners[1].country"},
		{"partner role", with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.Partners[0].Role = "boss" }), "partners[0].role"},
		{"project ID with a dot", with(submitKA122("P.1", 1), func(s *SubmitApplication) {}), "project_id"},
		{"end before start", with(submitKA122("P", 1), func(s *SubmitApplication) { s.EndDate = MustDate("2022-05-01") }), "end_date"},
		{"missing start", with(submitKA122("P", 1), func(s *SubmitApplication) { s.StartDate = Date{} }), "start_date"},
		{"zero request", with(submitKA122("P", 1), func(s *SubmitApplication) { s.RequestedCents = 0 }), "requested_cents"},
		{"unknown action", with(submitKA122("P", 1), func(s *SubmitApplication) { s.Action = "KA999" }), "action"},
		{"award with a rejection", DecideApplication{ProjectID: "P", Outcome: OutcomeRejected, AwardedCents: 1}, "awarded_cents"},
		{"approval without award", DecideApplication{ProjectID: "P", Outcome: OutcomeApproved}, "awarded_cents"},
		{"negative payment", RecordPayment{ProjectID: "P", PaymentID: "X", Kind: PaymentBalance, AmountCents: -5}, "amount_cents"},
		{"amendment of nothing", AmendProject{ProjectID: "P", AmendmentID: "A", Justification: "x"}, ""},
		{"unknown activity", report(with(okMobility, func(m *Mobility) { m.Activity = "XX" })), "activity"},
		{"no distance", report(with(okMobility, func(m *Mobility) { m.DistanceKm = 0 })), "distance_km"},
		{"distance and places", report(with(okMobility, func(m *Mobility) { m.Origin, m.Destination = &Place{}, &Place{} })), "distance_km"},
		{"bad latitude", report(with(okMobility, func(m *Mobility) { m.DistanceKm, m.Origin, m.Destination = 0, &Place{Lat: 91}, &Place{} })), "origin.lat"},
		{"unknown evidence", report(with(uaPupil(), func(m *Mobility) {
			m.Ukraine = &UkraineParticipant{Category: UkrainePupil, Documents: []string{"passport"}}
		})), "ukraine.documents[0]"},
		{"unknown category", report(with(uaPupil(), func(m *Mobility) { m.Ukraine = &UkraineParticipant{Category: "tourist"} })), "ukraine.category"},
		{"birth after start", report(with(okMobility, func(m *Mobility) { m.Personal.BirthDate = MustDate("2023-01-01") })), "personal.birth_date"},
		{"participant ID missing", report(with(okMobility, func(m *Mobility) { m.ParticipantID = "" })), "participant_id"},
		{"receiving city missing", report(with(okMobility, func(m *Mobility) { m.ReceivingCity = "" })), "receiving_city"},
		{"negative travel days", report(with(okMobility, func(m *Mobility) { m.TravelDays = -1 })), "travel_days"},
		{"score over 100", AssessFinalReport{ProjectID: "P", Outcome: OutcomeAccepted, Score: 101}, "score"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cmd.Validate()
			if err == nil {
				t.Fatal("accepted")
			}
			e := apperr.As(err)
			if e.Code != apperr.Invalid || e.Field != c.field {
				t.Fatalf("got code %s field %q (%v), want invalid %q", e.Code, e.Field, err, c.field)
			}
		})
	}
}

func TestValidCommandsValidate(t *testing.T) {
	for _, c := range []Validator{submitKA122("P", 1), submitKA220("2022-11-01", "2024-10-31"), report(jobShadow("M1")), report(uaPupil()),
		AmendProject{ProjectID: "P", AmendmentID: "A", EndDate: MustDate("2023-01-01"), Justification: "x"}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%T: %v", c, err)
		}
	}
}

// TestCommandsDecodeStrictJSON checks the API's decoding: snake_case
// fields, the mobility's fields flat beside project_id, dates as
// "YYYY-MM-DD" and unknown fields refused.
func TestCommandsDecodeStrictJSON(t *testing.T) {
	body := `{"project_id":"P1","mobility_id":"M1","participant_id":"X-1","personal":{"first_name":"Aino","birth_date":"1980-04-01"},
		"activity":"SM-JOB-SHDW","start_date":"2022-09-05","end_date":"2022-09-09","sending_organisation":"A","receiving_organisation":"B",
		"sending_country":"FI","receiving_country":"DE","receiving_city":"Berlin","distance_km":1100,"green_travel":true,
		"ukraine":{"category":"staff","documents":["pay-slip"],"receiving_signature":true}}`
	var c ReportMobility
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	if c.ProjectID != "P1" || c.MobilityID != "M1" || c.Personal.BirthDate != MustDate("1980-04-01") || !c.GreenTravel || c.Ukraine.Documents[0] != DocPaySlip {
		t.Fatalf("decoded %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	dec = json.NewDecoder(strings.NewReader(`{"project_id":"P1","surprise":1}`))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ReportMobility{}); err == nil {
		t.Fatal("unknown field accepted")
	}
	var bad SubmitApplication
	if err := json.Unmarshal([]byte(`{"start_date":"31.05.2024"}`), &bad); err == nil {
		t.Fatal("a Finnish-style date was accepted")
	}
	// Every command type names itself and encodes to snake_case keys.
	for _, cmd := range AllCommands() {
		b, err := json.Marshal(cmd)
		if err != nil {
			t.Fatal(err)
		}
		var keys map[string]any
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if !snake.MatchString(k) {
				t.Errorf("%s encodes key %q, not snake_case", cmd.CommandType(), k)
			}
		}
		if cmd.CommandType() == "" || cmd.Target().Kind == "" {
			t.Errorf("%T has no type or target kind", cmd)
		}
		if _, ok := cmd.(Validator); !ok {
			t.Errorf("%s has no Validate", cmd.CommandType())
		}
	}
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func TestOrgWideCommands(t *testing.T) {
	want := map[string]bool{"SubmitApplication": true, "DecideApplication": true,
		"PublishCallRound": true, "CorrectCallRound": true, "PublishRatesTable": true, "CorrectRatesTable": true,
		"EraseParticipant": true}
	for _, c := range AllCommands() {
		if c.OrgWide() != want[c.CommandType()] {
			t.Errorf("%s OrgWide = %v", c.CommandType(), c.OrgWide())
		}
	}
}

func TestDateJSON(t *testing.T) {
	var d struct {
		A Date `json:"a"`
		B Date `json:"b,omitzero"`
	}
	if err := json.Unmarshal([]byte(`{"a":"2024-02-29"}`), &d); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(d)
	if string(b) != `{"a":"2024-02-29"}` {
		t.Fatalf("encoded %s", b)
	}
	if err := json.Unmarshal([]byte(`{"a":"2023-02-29"}`), &d); err == nil {
		t.Fatal("2023-02-29 accepted")
	}
	if DaysInclusive(MustDate("2024-03-01"), MustDate("2024-03-03")) != 3 {
		t.Fatal("1 to 3 March is 3 days")
	}
	if DaysInclusive(MustDate("2024-03-30"), MustDate("2024-04-01")) != 3 {
		t.Fatal("days across the daylight-saving change")
	}
}

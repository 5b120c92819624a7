package api

import (
	"encoding/json"
	"strconv"

	"github.com/erasmus-ledger/grants/aggregates/rates"
)

// commandExamples are sample request bodies of the commands, by command
// type: the document shows them, and the tests prove that each passes the
// command's own validation and that the fields the document requires are
// exactly those whose absence the validation refuses. Fields taken from
// the URL are left out.
var commandExamples = map[string]string{
	"RegisterOrganisation":    `{"oid":"E10012345","legal_name":"Lycée Jean Moulin","country":"FR","city":"Lyon","kind":"school"}`,
	"ApplyForAccreditation":   `{"accreditation_id":"2024-1-FR01-KA120-SCH-000045","field":"school","kind":"single","plan":{"from_year":2025,"to_year":2027,"objectives":[{"text":"Teach languages through exchanges","indicators":["A1"]}]},"strategy_attached":true}`,
	"DecideAccreditation":     `{"outcome":"granted"}`,
	"WithdrawAccreditation":   `{"reason":"The school closes its international programme."}`,
	"SubmitApplication":       `{"project_id":"2024-1-FR01-KA122-SCH-000123","oid":"E10012345","action":"KA122","field":"school","call_year":2024,"round":1,"title":"Languages and cultures","partners":[],"start_date":"2024-09-01","end_date":"2025-08-31","requested_cents":6000000}`,
	"WithdrawApplication":     `{"reason":"The partner withdrew."}`,
	"AssessEligibility":       `{"outcome":"eligible","note":"All criteria met."}`,
	"DecideApplication":       `{"outcome":"approved","awarded_cents":5400000}`,
	"SignGrantAgreement":      `{"agreement_no":"2024-1-FR01-KA122-SCH-000123-GA"}`,
	"RecordPayment":           `{"payment_id":"PF-1","kind":"pre-financing","amount_cents":4320000}`,
	"AmendProject":            `{"amendment_id":"AM-1","end_date":"2025-12-31","justification":"The host school postponed the exchange."}`,
	"RequestUkraineException": `{"justification":"Pupils displaced from Ukraine join the project."}`,
	"DecideUkraineException":  `{"outcome":"applied"}`,
	"SubmitInterimReport":     `{"report_id":"IR-1","summary":"Ten mobilities done."}`,
	"SubmitFinalReport":       `{"summary":"All mobilities done."}`,
	"AssessFinalReport":       `{"outcome":"accepted","final_cents":5400000,"score":82}`,
	"CloseProject":            `{}`,
	"TerminateProject":        `{"reason":"The beneficiary went bankrupt."}`,
	"ReportMobility":          `{"mobility_id":"M-0001","participant_id":"P-0001","personal":{"first_name":"Ana","last_name":"Martin"},"activity":"SM-JOB-SHDW","start_date":"2024-10-07","end_date":"2024-10-11","sending_organisation":"Lycée Jean Moulin","receiving_organisation":"Schule Berlin","sending_country":"FR","receiving_country":"DE","receiving_city":"Berlin","distance_km":1050,"travel_days":2}`,
	"CorrectMobility":         `{"reason":"The end date was wrong.","participant_id":"P-0001","activity":"SM-JOB-SHDW","start_date":"2024-10-07","end_date":"2024-10-10","sending_organisation":"Lycée Jean Moulin","receiving_organisation":"Schule Berlin","sending_country":"FR","receiving_country":"DE","receiving_city":"Berlin","distance_km":1050,"travel_days":2}`,
	"CancelMobility":          `{"reason":"Reported twice."}`,
}

// exampleOf is the example of a command's request body, or nil.
func exampleOf(commandType string) any {
	raw, ok := commandExamples[commandType]
	if !ok {
		return nil
	}
	return json.RawMessage(raw)
}

func init() {
	for k, v := range map[string]string{
		"AddConsortiumMember":     `{"member_oid":"E10054321"}`,
		"RemoveConsortiumMember":  `{"reason":"The member school left the consortium."}`,
		"EraseParticipant":        `{"reason":"The participant's guardian asked for erasure (GDPR article 17)."}`,
		"RaiseDeadlineFlags":      `{}`,
		"SetPaymentPlan":          `{"instalments":[{"id":"PF1","kind":"pre-financing","amount_cents":4320000,"due_date":"2024-10-01"}],"balance_due_days":60}`,
		"RequestInclusionSupport": `{"request_id":"IS-1","inclusion_support_cents":120000,"exceptional_costs_cents":40000,"justification":"A pupil with reduced mobility needs an assistant on the trip."}`,
		"DecideInclusionSupport":  `{"outcome":"approved","inclusion_support_cents":120000,"exceptional_costs_cents":40000}`,
		"RecomputeGrants":         `{"reason":"The 2024 rates table was corrected."}`,
		"ResolveDamage":           `{"aggregate_kind":"organisation","aggregate_id":"E10012345","sequence":7,"resolution":"dismissed","reason":"Forged: not written by the service."}`,
		"PublishCallRound":        `{"call_year":2027,"round":1,"action":"KA122","fields":["school","vet"],"deadline":"2027-02-18","start_from":"2027-06-01","start_to":"2027-12-31"}`,
		"CorrectCallRound":        `{"call_year":2027,"round":1,"action":"KA122","deadline":"2027-02-25","reason":"The Commission extended the deadline."}`,
	} {
		commandExamples[k] = v
	}
	// A rates table example is the built-in table of a call year, as the
	// office would publish it for the next one.
	book, err := rates.Default()
	if err != nil {
		return
	}
	tables := book.Tables()
	if len(tables) == 0 {
		return
	}
	t := *tables[len(tables)-1]
	t.CallYear++
	table, err := json.Marshal(t)
	if err != nil {
		return
	}
	year := strconv.Itoa(t.CallYear)
	commandExamples["PublishRatesTable"] = `{"call_year":` + year + `,"table":` + string(table) + `}`
	commandExamples["CorrectRatesTable"] = `{"call_year":` + year + `,"table":` + string(table) + `,"reason":"The Commission published the final unit costs."}`
}

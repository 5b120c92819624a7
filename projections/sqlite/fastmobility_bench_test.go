package sqlite

import "testing"

// mobilityPayload is a MobilityReported payload as the generator writes it.
const mobilityPayload = `{"project_id":"2024-1-FI01-KA121-VET-0000010","oid":"E00000001","action":"KA121","call_year":2024,"mobility":{"mobility_id":"M0000","participant_id":"P-0000010-0000","personal":{"first_name":"Veeti","last_name":"Järvinen","birth_date":"1986-06-05","nationality":"FI"},"activity":"LM-LONG-VET","start_date":"2025-05-18","end_date":"2025-06-17","sending_organisation":"Sender","receiving_organisation":"Host","sending_country":"FI","receiving_country":"IT","receiving_city":"City","distance_km":1477,"travel_days":2,"fewer_opportunities":true},"days":31,"distance_km":1477,"grant":{"call_year":2024,"lines":[{"category":"organisational-support","rule":"BUD-ORG","explanation":"unit cost per participant","amount_cents":35000},{"category":"travel","rule":"BUD-TRAVEL-BAND","explanation":"1477 km band","amount_cents":27500},{"category":"individual-support","rule":"BUD-INDIVIDUAL","explanation":"31 days at 122.00 EUR","amount_cents":378200},{"category":"inclusion-support","rule":"BUD-INCLUSION","explanation":"flat rate","amount_cents":10000}],"total_cents":450700},"reported_on":"2025-06-24"}`

// BenchmarkDecodeMobilityEvent measures the fast path on a typical
// mobility report.
func BenchmarkDecodeMobilityEvent(b *testing.B) {
	p := []byte(mobilityPayload)
	b.SetBytes(int64(len(p)))
	var e mobilityEvent
	for b.Loop() {
		e = mobilityEvent{}
		if err := decodeMobilityEvent(p, &e); err != nil {
			b.Fatal(err)
		}
	}
}

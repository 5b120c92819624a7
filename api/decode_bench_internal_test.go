package api

import (
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
)

// reportBody is the body of a mobility report as the HTTP bench sends it.
const reportBody = `{"mobility_id":"B000001","participant_id":"P000001","activity":"SM-JOB-SHDW",` +
	`"personal":{"first_name":"Aino","last_name":"Virtanen-M31"},"start_date":"2022-09-05","end_date":"2022-09-09",` +
	`"sending_organisation":"Oulun koulu","receiving_organisation":"Skola Stockholm","sending_country":"FI",` +
	`"receiving_country":"SE","receiving_city":"Stockholm","distance_km":400,"travel_days":2}`

// BenchmarkDecodeStrictReport measures strict decoding of one mobility
// report, the path field bound from the URL.
func BenchmarkDecodeStrictReport(b *testing.B) {
	body := []byte(reportBody)
	b.ReportAllocs()
	for b.Loop() {
		var cmd aggregates.ReportMobility
		if err := decodeStrict(body, &cmd, map[string]string{"project_id": "2022-1-FI01-KA122-SCH-000001"}); err != nil {
			b.Fatal(err)
		}
	}
}

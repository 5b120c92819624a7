package command

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// fingerprintBefore is Fingerprint as the previous versions computed it,
// whose values are stored in events.
func fingerprintBefore(req Request) string {
	body, err := json.Marshal(req.Command)
	if err != nil {
		panic(err)
	}
	s := sha256.New()
	fmt.Fprintf(s, "%s\x00%s\x00%s\x00", req.Command.CommandType(), req.Command.Target().String(), events.FormatTime(req.EffectiveAt))
	s.Write(body)
	if req.Reason != "" {
		fmt.Fprintf(s, "\x00reason\x00%s", req.Reason)
	}
	if req.IfMatch != nil {
		fmt.Fprintf(s, "\x00if-match\x00%d", *req.IfMatch)
	}
	return hex.EncodeToString(s.Sum(nil))
}

// TestFingerprintStaysTheStoredValue (idempotency keys stored in events):
// the fingerprint of a command is byte for byte the one earlier versions
// stored, with and without reason, precondition and effective date, and
// with text that JSON escapes.
func TestFingerprintStaysTheStoredValue(t *testing.T) {
	v := uint64(7)
	m := aggregates.ReportMobility{ProjectID: "2022-1-FI01-KA122-SCH-000001", Mobility: aggregates.Mobility{
		MobilityID: "M1", ParticipantID: "P1", Activity: "SM-JOB-SHDW", ReceivingCity: "Stockholm <&> \"Ä\"",
		StartDate: aggregates.MustDate("2022-09-05"), EndDate: aggregates.MustDate("2022-09-09"), DistanceKm: 400}}
	for _, req := range []Request{
		{Command: m},
		{Command: m, Reason: "late report\nsee the note"},
		{Command: m, IfMatch: &v},
		{Command: aggregates.CancelMobility{ProjectID: "P1", MobilityID: "M1", Reason: "x"}, Reason: "r", IfMatch: &v,
			EffectiveAt: time.Date(2022, 3, 1, 12, 0, 0, 5, time.UTC)},
	} {
		for range 2 { // the second time from a reused buffer
			got, err := Fingerprint(req)
			if err != nil {
				t.Fatal(err)
			}
			if want := fingerprintBefore(req); got != want {
				t.Fatalf("fingerprint of %#v is %s, want %s", req, got, want)
			}
		}
	}
}

// benchReport is the request of a mobility report, as the benchmark sends.
func benchReport() Request {
	return Request{Command: aggregates.ReportMobility{ProjectID: "2022-1-FI01-KA122-SCH-000001", Mobility: aggregates.Mobility{
		MobilityID: "M1", ParticipantID: "P1", Activity: "SM-JOB-SHDW", SendingOrganisation: "Oulun koulu",
		ReceivingOrganisation: "Skola Stockholm", SendingCountry: "FI", ReceivingCountry: "SE", ReceivingCity: "Stockholm",
		Personal:  aggregates.Personal{FirstName: "Aino", LastName: "Virtanen"},
		StartDate: aggregates.MustDate("2022-09-05"), EndDate: aggregates.MustDate("2022-09-09"), DistanceKm: 400, TravelDays: 2}}}
}

// BenchmarkFingerprint measures the fingerprint of a mobility report.
func BenchmarkFingerprint(b *testing.B) {
	req := benchReport()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fingerprint(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFingerprintBefore measures the previous computation, for A/B.
func BenchmarkFingerprintBefore(b *testing.B) {
	req := benchReport()
	b.ReportAllocs()
	for b.Loop() {
		fingerprintBefore(req)
	}
}

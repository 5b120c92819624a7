package sqlite

import (
	"fmt"
	"testing"
)

func TestEURFormatsCentsWithThousandsSeparators(t *testing.T) {
	for cents, want := range map[int64]string{0: "0.00 EUR", 5: "0.05 EUR", 123456: "1 234.56 EUR", -100000099: "-1 000 000.99 EUR", 99999: "999.99 EUR"} {
		if got := eur(cents); got != want {
			t.Errorf("eur(%d) = %q, want %q", cents, got, want)
		}
	}
}

func TestReportedSummaryReadsLikeTheOtherSummaries(t *testing.T) {
	var e mobilityEvent
	e.ProjectID, e.Days, e.Grant.TotalCents = "P1", 10, 123400
	m := &e.Mobility
	m.MobilityID, m.ParticipantID, m.Activity, m.SendingCountry, m.ReceivingCountry, m.StartDate, m.EndDate =
		"M1", "X", "SM-JOB-SHDW", "FI", "DE", "2024-03-01", "2024-03-10"
	want := fmt.Sprintf("Mobility %s of project %s reported: participant %s, %s %s to %s, %s to %s (%d days), grant %s",
		m.MobilityID, e.ProjectID, m.ParticipantID, m.Activity, m.SendingCountry, m.ReceivingCountry, m.StartDate, m.EndDate, e.Days, eur(e.Grant.TotalCents))
	if got := string(appendReportedSummary(nil, &e)); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

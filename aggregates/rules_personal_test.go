package aggregates

import (
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/pii"
)

// reportedM1 is jobShadow("M1") reported in testProject.
func reportedM1() Event {
	return MobilityReported{ProjectID: testProject, OID: testOrg, Action: ActionKA122, CallYear: 2022, Mobility: jobShadow("M1"), Days: 5, ReportedOn: MustDate("2022-09-12")}
}

func erased(pid, on string) Event {
	return ParticipantErased{OID: testOrg, ParticipantID: pid, ErasedOn: MustDate(on), Reason: "asked"}
}

func TestPD_ERASE_and_PD_SEALED(t *testing.T) {
	withSealed := jobShadow("M2")
	withSealed.Personal = Personal{}
	withSealed.PersonalSealed = &pii.Sealed{Alg: pii.AlgAES256GCM, Subject: testOrg + "/PART-M2"}
	again := jobShadow("M2")
	again.ParticipantID = "PART-M1"
	without := again
	without.Personal = Personal{}
	cases := []struct {
		name string
		evs  []Event
		cmd  Command
		rule string
	}{
		{"PD-ERASE a reported participant is erased", ka122(reportedM1()), EraseParticipant{OID: testOrg, ParticipantID: "PART-M1", Reason: "asked"}, ""},
		{"PD-ERASE an erasure happens once", ka122(reportedM1(), erased("PART-M1", "2022-09-20")), EraseParticipant{OID: testOrg, ParticipantID: "PART-M1", Reason: "again"}, "PD-ERASE"},
		{"PD-ERASE an unknown participant is not erased", ka122(reportedM1()), EraseParticipant{OID: testOrg, ParticipantID: "PART-NOBODY", Reason: "asked"}, "PD-ERASE"},
		{"PD-ERASE no personal data again for an erased participant", ka122(reportedM1(), erased("PART-M1", "2022-09-20")), report(again), "PD-ERASE"},
		{"PD-ERASE a mobility of an erased participant without personal data", ka122(reportedM1(), erased("PART-M1", "2022-09-20")), report(without), ""},
		{"PD-SEALED a command carries no sealed block", ka122(), report(withSealed), "PD-SEALED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := testDomain().Decide(officeAt("2022-10-01"), fold(c.evs...), c.cmd)
			if got, _ := ruleOf(err); (err == nil) != (c.rule == "") || got != c.rule {
				t.Fatalf("err = %v, want rule %q", err, c.rule)
			}
		})
	}
}

// TestPD_ERASE_event_carries_no_personal_data: the erasure event names
// the participant by its pseudonymous ID only, and folds into the
// organisation's erased participants.
func TestPD_ERASE_event_carries_no_personal_data(t *testing.T) {
	evs, err := testDomain().Decide(officeAt("2022-10-01"), fold(ka122(reportedM1())...), EraseParticipant{OID: testOrg, ParticipantID: "PART-M1", Reason: "asked"})
	if err != nil {
		t.Fatal(err)
	}
	got := mustJSON(t, evs[0])
	for _, p := range []string{"Aino", "Virtanen", "aino@example.fi", "1980-04-01"} {
		if strings.Contains(got, p) || !strings.Contains(got, "PART-M1") {
			t.Fatalf("ParticipantErased carries %q: %s", p, got)
		}
	}
	if on := fold(append(ka122(reportedM1()), evs...)...).Organisation.ErasedParticipants["PART-M1"]; on != MustDate("2022-10-01") {
		t.Fatalf("erased on %s", on)
	}
}

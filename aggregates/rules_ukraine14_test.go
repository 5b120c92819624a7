package aggregates

import (
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// uaAppliedWith are the events that apply the Ukraine exception to project
// id with activities the office accepted beyond the examples.
func uaAppliedWith(id string, extra ...string) []Event {
	evs := uaApplied(id)
	d := evs[1].(UkraineExceptionDecided)
	d.ExtraActivities = extra
	evs[1] = d
	return evs
}

// ukraineListCases prove that the Ukraine lists of seed 004 are examples
// ("esimerkiksi"): the national office may accept other KA1 activities
// case by case, and a different document is accepted when it is described.
func ukraineListCases() []ruleCase {
	extended := ka122(uaAppliedWith(testProject, catalog.CodeCourse, catalog.CodePupilGroup)...)
	decide := func(outcome string, extra ...string) DecideUkraineException {
		return DecideUkraineException{ProjectID: testProject, Outcome: outcome, ExtraActivities: extra}
	}
	course := func(m *Mobility, u *UkraineParticipant) {
		m.Activity, m.StartDate, m.EndDate, m.CourseFeeDays = catalog.CodeCourse, MustDate("2022-09-01"), MustDate("2022-09-12"), 10
	}
	return []ruleCase{
		{name: "UA-STAFF-ACTS/the office accepts courses beyond the examples", given: ka122(uaApplied(testProject)[0]), now: "2022-08-10",
			cmd: decide(OutcomeApplied, "sm-cour-train"), check: func(t *testing.T, ev Event) {
				if d := ev.(UkraineExceptionDecided); len(d.ExtraActivities) != 1 || d.ExtraActivities[0] != catalog.CodeCourse {
					t.Fatalf("extra activities %v, want [%s]", d.ExtraActivities, catalog.CodeCourse)
				}
			}},
		{name: "UA-STAFF-ACTS/extra activities with a refusal are invalid", given: ka122(uaApplied(testProject)[0]), now: "2022-08-10",
			code: "invalid", cmd: decide(OutcomeRefused, catalog.CodeCourse)},
		{name: "UA-STAFF-ACTS/unknown extra activity is invalid", given: ka122(uaApplied(testProject)[0]), now: "2022-08-10",
			code: "invalid", cmd: decide(OutcomeApplied, "SM-HOLIDAY")},
		{name: "UA-STAFF-ACTS/course accepted by the office allowed, with course fees", given: extended, now: "2023-01-01",
			cmd: uaMod(uaStaff(), course), check: wantLine("ACT-COURSE", 10*8_000)},
		{name: "UA-STAFF-ACTS/accepted course still follows its general rules (ACT-COURSE)", given: extended, now: "2023-01-01", rule: "ACT-COURSE",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { course(m, u); m.EndDate = MustDate("2022-10-01") })},
		{name: "UA-PUPIL-ACTS/group mobility without a right to study accepted by the office allowed", given: extended, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.Activity, m.GroupID = catalog.CodePupilGroup, "G1" })},
		{name: "UA-PUPIL-ACTS/accepted staff course for a pupil refused", given: extended, now: "2023-01-01", rule: "UA-PUPIL-ACTS",
			cmd: uaMod(uaPupil(), course)},
		{name: "UA-PUPIL-ACTS/accepted activity for a pupil offered preparatory education refused", given: extended, now: "2023-01-01", rule: "UA-PUPIL-ACTS",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) {
				m.Activity, m.GroupID, u.RightToStudy, u.PreparatoryOffered = catalog.CodePupilGroup, "G1", true, true
			})},
		{name: "UA-EVIDENCE/pupil with a described other document allowed", given: extended, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) {
				u.Documents, u.OtherDocument = nil, "letter from the Kharkiv education department confirming enrolment"
			})},
		{name: "UA-EVIDENCE/staff with a described other document allowed", given: extended, now: "2023-01-01",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) {
				u.Documents, u.OtherDocument = nil, "statement of the school's former director"
			})},
		{name: "UA-EVIDENCE/staff with a blank other document refused", given: extended, now: "2023-01-01", rule: "UA-EVIDENCE",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { u.Documents, u.OtherDocument = nil, "   " })},
	}
}

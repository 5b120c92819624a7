package aggregates

import (
	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// mustDecide decides cmd on given at now and returns its one event, for
// states built from real decisions (grants computed by the calculator).
func mustDecide(given []Event, now string, cmd Command) Event {
	evs, err := testDomain().Decide(officeAt(now), fold(given...), cmd)
	if err != nil || len(evs) != 1 {
		panic(err)
	}
	return evs[0]
}

// participantCases prove that per-person limits apply per participant
// across all of the participant's mobilities in the project (UA-LINGUISTIC,
// ACT-COURSE), a participant being its participant_id.
func participantCases() []ruleCase {
	ua := ka122(uaApplied(testProject)...)
	linguistic := func(id string, cents int64, start string) ReportMobility {
		return uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) {
			m.MobilityID, m.StartDate, m.EndDate, u.LinguisticCents = id, MustDate(start), MustDate(start).AddDays(19), cents
		})
	}
	first := func(cents int64) []Event {
		return cat(ua, []Event{mustDecide(ua, "2023-01-01", linguistic("UA1", cents, "2022-09-01"))})
	}
	other := func(c ReportMobility) ReportMobility { c.ParticipantID = "PART-OTHER"; return c }
	course := func(id string, feeDays int, start string) ReportMobility {
		return report(with(mobilityOf(catalog.CodeCourse, 12), func(m *Mobility) {
			m.MobilityID, m.CourseFeeDays, m.ParticipantID = id, feeDays, "PART-TEACHER"
			m.StartDate, m.EndDate = MustDate(start), MustDate(start).AddDays(11)
		}))
	}
	courses := func(days int) []Event {
		return cat(ka122(), []Event{mustDecide(ka122(), "2023-01-01", course("C1", days, "2022-06-01"))})
	}
	cancelled := func(evs []Event, id string) []Event {
		return cat(evs, []Event{MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: id}})
	}
	return []ruleCase{
		{name: "UA-LINGUISTIC/two mobilities of 200 EUR receipts: the second is paid 100 EUR", given: first(20_000), now: "2023-01-01",
			cmd: linguistic("UA2", 20_000, "2022-10-01"), check: wantLine("UA-LINGUISTIC", 10_000)},
		{name: "UA-LINGUISTIC/300 EUR over two mobilities paid in full", given: first(15_000), now: "2023-01-01",
			cmd: linguistic("UA2", 15_000, "2022-10-01"), check: wantLine("UA-LINGUISTIC", 15_000)},
		{name: "UA-LINGUISTIC/301 EUR over two mobilities: 300 EUR paid", given: first(15_000), now: "2023-01-01",
			cmd: linguistic("UA2", 15_100, "2022-10-01"), check: wantLine("UA-LINGUISTIC", 15_000)},
		{name: "UA-LINGUISTIC/nothing left after 300 EUR paid", given: first(30_000), now: "2023-01-01",
			cmd: linguistic("UA2", 5_000, "2022-10-01"), check: wantLine("UA-LINGUISTIC", 0)},
		{name: "UA-LINGUISTIC/another participant has a ceiling of its own", given: first(30_000), now: "2023-01-01",
			cmd: other(linguistic("UA2", 20_000, "2022-10-01")), check: wantLine("UA-LINGUISTIC", 20_000)},
		{name: "UA-LINGUISTIC/a cancelled mobility's support no longer counts", given: cancelled(first(30_000), "UA1"), now: "2023-01-01",
			cmd: linguistic("UA2", 20_000, "2022-10-01"), check: wantLine("UA-LINGUISTIC", 20_000)},
		{name: "UA-LINGUISTIC/a correction does not count the mobility it corrects", given: first(20_000), now: "2023-01-01",
			cmd: CorrectMobility{ProjectID: testProject, Mobility: linguistic("UA1", 30_000, "2022-09-01").Mobility}, check: wantLine("UA-LINGUISTIC", 30_000)},

		{name: "ACT-COURSE/10 course-fee days over two mobilities of one participant allowed", given: courses(6), now: "2023-01-01",
			cmd: course("C2", 4, "2022-09-01"), check: wantLine("ACT-COURSE", 4*8_000)},
		{name: "ACT-COURSE/11 course-fee days over two mobilities of one participant refused", given: courses(6), now: "2023-01-01", rule: "ACT-COURSE",
			cmd: course("C2", 5, "2022-09-01")},
		{name: "ACT-COURSE/another participant's course-fee days do not count", given: courses(10), now: "2023-01-01",
			cmd: other(course("C2", 10, "2022-09-01"))},
		{name: "ACT-COURSE/course-fee days of a cancelled mobility do not count", given: cancelled(courses(10), "C1"), now: "2023-01-01",
			cmd: course("C2", 10, "2022-09-01")},
	}
}

package aggregates

import (
	"fmt"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// mobilityOf is a mobility of activity code from 2022-06-01 lasting days.
func mobilityOf(code string, days int) Mobility {
	return with(jobShadow("M1"), func(m *Mobility) {
		m.Activity = code
		m.StartDate = MustDate("2022-06-01")
		m.EndDate = m.StartDate.AddDays(days - 1)
		m.GroupID = "G1"
	})
}

// mobEvent is a reported mobility event with a given grant (for states).
func mobEvent(id string, cents int64, f func(*Mobility)) Event {
	m := jobShadow(id)
	if f != nil {
		f(&m)
	}
	return MobilityReported{ProjectID: testProject, OID: testOrg, Action: ActionKA122, CallYear: 2022, Mobility: m,
		Days: DaysInclusive(m.StartDate, m.EndDate), DistanceKm: m.DistanceKm, Grant: GrantBreakdown{CallYear: 2022, TotalCents: cents}}
}

func activityCases() []ruleCase {
	var cases []ruleCase
	// The duration bounds of every KA1 activity: first value allowed and
	// first refused at each end.
	for _, a := range catalog.Activities() {
		if !a.Bounded() || a.Code == catalog.CodeKA202StaffEvent {
			continue
		}
		probe := func(days int, ok bool) {
			c := ruleCase{given: ka122In(a.Field()), now: "2023-08-31", cmd: report(mobilityOf(a.Code, days))}
			if ok {
				c.name = fmt.Sprintf("%s/%d days allowed", a.Rule, days)
			} else {
				c.name, c.rule = fmt.Sprintf("%s/%d days refused", a.Rule, days), a.Rule
			}
			cases = append(cases, c)
		}
		if a.MinDays > 1 {
			probe(a.MinDays-1, false)
		}
		probe(a.MinDays, true)
		probe(a.MaxDays, true)
		probe(a.MaxDays+1, false)
	}
	prep := func(persons int) ReportMobility {
		return report(with(mobilityOf(catalog.CodePrepVisit, 2), func(m *Mobility) { m.Persons, m.DistanceKm, m.TravelDays = persons, 0, 0 }))
	}
	ka202 := cat(registered(), []Event{submitted("KA202-2019", ActionKA202, 2019, 1, "2019-09-01", "2021-08-31", 30_000_000)},
		running("KA202-2019", 30_000_000, "2019-08-01"))
	c3 := func(days int) ReportMobility {
		return ReportMobility{ProjectID: "KA202-2019", Mobility: with(jobShadow("C3-1"), func(m *Mobility) {
			m.Activity, m.StartDate, m.EndDate = catalog.CodeKA202StaffEvent, MustDate("2020-02-03"), MustDate("2020-02-03").AddDays(days-1)
		})}
	}
	group := func(id string, accompanying bool) Event {
		return mobEvent(id, 50_000, func(m *Mobility) {
			m.Activity, m.GroupID, m.Accompanying = catalog.CodePupilGroup, "G1", accompanying
		})
	}
	final := SubmitFinalReport{ProjectID: testProject, Summary: "done"}
	return append(cases,
		ruleCase{name: "ACT-PREP-VISIT/3 persons allowed", given: ka122(), now: "2023-01-01", cmd: prep(3)},
		ruleCase{name: "ACT-PREP-VISIT/4 persons refused", given: ka122(), now: "2023-01-01", rule: "ACT-PREP-VISIT", cmd: prep(4)},
		ruleCase{name: "ACT-COURSE/10 course-fee days allowed", given: ka122(), now: "2023-01-01",
			cmd: report(with(mobilityOf(catalog.CodeCourse, 12), func(m *Mobility) { m.CourseFeeDays = 10 }))},
		ruleCase{name: "ACT-COURSE/11 course-fee days refused", given: ka122(), now: "2023-01-01", rule: "ACT-COURSE",
			cmd: report(with(mobilityOf(catalog.CodeCourse, 12), func(m *Mobility) { m.CourseFeeDays = 11 }))},
		ruleCase{name: "ACT-COURSE/course fees for job shadowing refused", given: ka122(), now: "2023-01-01", rule: "ACT-COURSE",
			cmd: report(with(mobilityOf(catalog.CodeJobShadowing, 12), func(m *Mobility) { m.CourseFeeDays = 1 }))},
		ruleCase{name: "ACT-PUPIL-GROUP/group mobility without a group refused", given: ka122(), now: "2023-01-01", rule: "ACT-PUPIL-GROUP",
			cmd: report(with(mobilityOf(catalog.CodePupilGroup, 5), func(m *Mobility) { m.GroupID = "" }))},
		ruleCase{name: "ACT-PUPIL-GROUP/accompanying person for 1 day allowed", given: ka122(), now: "2023-01-01",
			cmd: report(with(mobilityOf(catalog.CodePupilGroup, 1), func(m *Mobility) { m.Accompanying = true }))},
		ruleCase{name: "ACT-PUPIL-GROUP/final report with two pupils and a teacher allowed", now: "2023-09-01", cmd: final,
			given: ka122(group("A", false), group("B", false), group("T", true))},
		ruleCase{name: "ACT-PUPIL-GROUP/final report with one pupil refused", now: "2023-09-01", rule: "ACT-PUPIL-GROUP", cmd: final,
			given: ka122(group("A", false), group("T", true))},
		ruleCase{name: "ACT-PUPIL-GROUP/final report with an unaccompanied group refused", now: "2023-09-01", rule: "ACT-PUPIL-GROUP", cmd: final,
			given: ka122(group("A", false), group("B", false))},
		ruleCase{name: "KA202-SP/3-day staff training event allowed", given: ka202, now: "2020-03-01", cmd: c3(3)},
		ruleCase{name: "KA202-SP/2-day staff training event refused", given: ka202, now: "2020-03-01", rule: "KA202-SP", cmd: c3(2)},
		ruleCase{name: "KA202-SP/60-day staff training event allowed", given: ka202, now: "2020-06-01", cmd: c3(60)},
		ruleCase{name: "KA202-SP/61-day staff training event refused", given: ka202, now: "2020-06-01", rule: "KA202-SP", cmd: c3(61)},
		ruleCase{name: "KA122-MAX-MOB/30th mobility allowed", given: ka122(mobs(29)...), now: "2023-01-01", cmd: report(jobShadow("M30"))},
		ruleCase{name: "KA122-MAX-MOB/31st mobility refused", given: ka122(mobs(30)...), now: "2023-01-01", rule: "KA122-MAX-MOB", cmd: report(jobShadow("M31"))},
		ruleCase{name: "KA122-MAX-MOB/accompanying person beyond 30 allowed", given: ka122(mobs(30)...), now: "2023-01-01",
			cmd: report(with(mobilityOf(catalog.CodePupilGroup, 5), func(m *Mobility) { m.MobilityID, m.Accompanying = "T1", true }))},
		ruleCase{name: "KA122-MAX-MOB/preparatory visit beyond 30 allowed", given: ka122(mobs(30)...), now: "2023-01-01", cmd: prep(2)},
		ruleCase{name: "KA122-MAX-MOB/cancelled mobility frees a place", now: "2023-01-01", cmd: report(jobShadow("M31")),
			given: ka122(append(mobs(30), MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: "M01"})...)},
		ruleCase{name: "KA122-MAX-MOB/correcting the 30th mobility allowed", given: ka122(mobs(30)...), now: "2023-01-01",
			cmd: CorrectMobility{ProjectID: testProject, Mobility: with(jobShadow("M30"), func(m *Mobility) { m.TravelDays = 1 })}},
	)
}

// ka122In is ka122 with the project in field (school education when
// field is "", for staff activities).
func ka122In(field string) []Event {
	evs := ka122()
	for i, e := range evs {
		if s, ok := e.(ApplicationSubmitted); ok && field != "" {
			s.Field = field
			evs[i] = s
		}
	}
	return evs
}

// mobs returns n reported job-shadowing mobilities M01.. of 1 000 EUR.
func mobs(n int) []Event {
	out := make([]Event, n)
	for i := range out {
		out[i] = mobEvent(fmt.Sprintf("M%02d", i+1), 100_000, nil)
	}
	return out
}

func TestActivityCasesCoverEveryActivity(t *testing.T) {
	names := map[string]bool{}
	for _, c := range activityCases() {
		names[c.name] = true
	}
	for _, a := range catalog.Activities() {
		found := false
		for n := range names {
			if len(n) > len(a.Rule) && n[:len(a.Rule)+1] == a.Rule+"/" {
				found = true
			}
		}
		if !found {
			t.Errorf("activity %s (%s) has no case", a.Code, a.Rule)
		}
	}
}

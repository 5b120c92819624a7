package aggregates

import "github.com/erasmus-ledger/grants/aggregates/catalog"

// linguisticCases prove BUD-LINGUISTIC: general linguistic support (150 EUR
// in 2022) for a mobility of at least 31 days whose language the Online
// Language Support does not offer.
func linguisticCases() []ruleCase {
	long := func(days int) ReportMobility {
		return report(with(mobilityOf(catalog.CodePupilLong, days), func(m *Mobility) { m.LinguisticSupport = true }))
	}
	return []ruleCase{
		{name: "BUD-LINGUISTIC/31-day pupil mobility paid the unit cost", given: ka122(), now: "2023-01-01", cmd: long(31),
			check: wantLine("BUD-LINGUISTIC", 15_000)},
		{name: "BUD-LINGUISTIC/30-day pupil mobility refused", given: ka122(), now: "2023-01-01", rule: "BUD-LINGUISTIC", cmd: long(30)},
		{name: "BUD-LINGUISTIC/under the Ukraine exception refused (UA-LINGUISTIC pays receipts)", given: ka122(uaApplied(testProject)...), now: "2023-01-01",
			rule: "BUD-LINGUISTIC", cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) {
				m.Activity, m.EndDate, m.LinguisticSupport = catalog.CodePupilLong, m.StartDate.AddDays(30), true
			})},
	}
}

// fieldCases prove ACTION-FIELD: a KA121 or KA122 project belongs to VET,
// school or adult education, and holds staff activities and the learner
// activities of its field only.
func fieldCases() []ruleCase {
	in := func(code string, days int) ReportMobility { return report(mobilityOf(code, days)) }
	adultGroup := func(id string, accompanying bool) Event {
		return mobEvent(id, 50_000, func(m *Mobility) {
			m.Activity, m.GroupID, m.Accompanying = catalog.CodeAdultGroup, "A1", accompanying
		})
	}
	final := SubmitFinalReport{ProjectID: testProject, Summary: "done"}
	return []ruleCase{
		{name: "ACTION-FIELD/VET activity in a school project refused", given: ka122In(FieldSchool), now: "2023-01-01", rule: "ACTION-FIELD",
			cmd: in(catalog.CodeVETShort, 20)},
		{name: "ACTION-FIELD/VET activity in a VET project allowed", given: ka122In(FieldVET), now: "2023-01-01", cmd: in(catalog.CodeVETShort, 20)},
		{name: "ACTION-FIELD/pupil activity in an adult-education project refused", given: ka122In(FieldAdult), now: "2023-01-01", rule: "ACTION-FIELD",
			cmd: in(catalog.CodePupilShort, 20)},
		{name: "ACTION-FIELD/pupil activity in a school project allowed", given: ka122In(FieldSchool), now: "2023-01-01", cmd: in(catalog.CodePupilShort, 20)},
		{name: "ACTION-FIELD/adult activity in an adult-education project allowed", given: ka122In(FieldAdult), now: "2023-01-01", cmd: in(catalog.CodeAdultShort, 20)},
		{name: "ACTION-FIELD/adult activity in a VET project refused", given: ka122In(FieldVET), now: "2023-01-01", rule: "ACTION-FIELD",
			cmd: in(catalog.CodeAdultGroup, 5)},
		{name: "ACTION-FIELD/staff activity in an adult-education project allowed", given: ka122In(FieldAdult), now: "2023-01-01", cmd: in(catalog.CodeCourse, 5)},
		{name: "ACTION-FIELD/KA122 in higher education refused", given: registered(), now: "2022-02-01", rule: "ACTION-FIELD",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.Field = FieldHigherEducation })},
		{name: "ACTION-FIELD/KA122 in adult education allowed", given: registered(), now: "2022-02-01",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.Field = FieldAdult })},

		{name: "ACT-ADULT-GROUP/group mobility of adult learners without a group refused", given: ka122In(FieldAdult), now: "2023-01-01", rule: "ACT-ADULT-GROUP",
			cmd: report(with(mobilityOf(catalog.CodeAdultGroup, 5), func(m *Mobility) { m.GroupID = "" }))},
		{name: "ACT-ADULT-GROUP/final report with two adult learners and a companion allowed", now: "2023-09-01", cmd: final,
			given: cat(ka122In(FieldAdult), []Event{adultGroup("A", false), adultGroup("B", false), adultGroup("T", true)})},
		{name: "ACT-ADULT-GROUP/final report with one adult learner refused", now: "2023-09-01", rule: "ACT-ADULT-GROUP", cmd: final,
			given: cat(ka122In(FieldAdult), []Event{adultGroup("A", false), adultGroup("T", true)})},
		{name: "ACT-ADULT-SHORT/adult learner paid at the learner rate", given: ka122In(FieldAdult), now: "2023-01-01",
			cmd: in(catalog.CodeAdultShort, 10), check: wantLine("BUD-INDIVIDUAL", -1)},
	}
}

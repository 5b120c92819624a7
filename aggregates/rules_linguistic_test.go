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

package aggregates

import (
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// ka121With returns a running KA121 project testProject of call 2022 (no
// limit of mobilities) holding n reported job shadowings M001.. of
// 1 000 EUR each, and extra events.
func ka121With(n int, extra ...Event) []Event {
	evs := cat(registered(), accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15"),
		[]Event{submitted(testProject, ActionKA121, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		running(testProject, 100_000_000, "2022-05-20"))
	for i := range n {
		evs = append(evs, mobEvent(fmt.Sprintf("M%03d", i+1), 100_000, nil))
	}
	return append(evs, extra...)
}

// orgSupportCases prove BUD-ORG-SUPPORT: the full rate (350 EUR in 2022)
// up to a project's 100th participant, the lower rate (200 EUR) beyond.
func orgSupportCases() []ruleCase {
	rep := func(id string) ReportMobility { return report(jobShadow(id)) }
	return []ruleCase{
		{name: "BUD-ORG-SUPPORT/100th participant at the full rate", given: ka121With(99), now: "2023-01-01",
			cmd: rep("M100"), check: wantLine("BUD-ORG-SUPPORT", 35_000)},
		{name: "BUD-ORG-SUPPORT/101st participant at the lower rate", given: ka121With(100), now: "2023-01-01",
			cmd: rep("M101"), check: wantLine("BUD-ORG-SUPPORT", 20_000)},
		{name: "BUD-ORG-SUPPORT/accompanying persons do not count toward the 100", now: "2023-01-01", cmd: rep("M101"),
			check: wantLine("BUD-ORG-SUPPORT", 35_000),
			given: ka121With(99, mobEvent("T1", 50_000, func(m *Mobility) { m.Activity, m.GroupID, m.Accompanying = catalog.CodePupilGroup, "G1", true }))},
		{name: "BUD-ORG-SUPPORT/preparatory visits do not count toward the 100", now: "2023-01-01", cmd: rep("M101"),
			check: wantLine("BUD-ORG-SUPPORT", 35_000),
			given: ka121With(99, mobEvent("PV1", 50_000, func(m *Mobility) { m.Activity, m.Persons = catalog.CodePrepVisit, 3 }))},
		{name: "BUD-ORG-SUPPORT/a cancelled mobility frees a place at the full rate", now: "2023-01-01", cmd: rep("M101"),
			check: wantLine("BUD-ORG-SUPPORT", 35_000),
			given: ka121With(100, MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: "M050"})},
		{name: "BUD-ORG-SUPPORT/correcting the 1st of 101 participants keeps the full rate", given: ka121With(101), now: "2023-01-01",
			cmd: CorrectMobility{ProjectID: testProject, Mobility: jobShadow("M001")}, check: wantLine("BUD-ORG-SUPPORT", 35_000)},
		{name: "BUD-ORG-SUPPORT/correcting the 101st participant keeps the lower rate", given: ka121With(101), now: "2023-01-01",
			cmd: CorrectMobility{ProjectID: testProject, Mobility: jobShadow("M101")}, check: wantLine("BUD-ORG-SUPPORT", 20_000)},
	}
}

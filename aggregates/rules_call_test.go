package aggregates

import "testing"

func with[T any](v T, f func(*T)) T {
	f(&v)
	return v
}

// submitKA122 is a valid KA122 application of call 2022 round 1.
func submitKA122(id string, round int) SubmitApplication {
	return SubmitApplication{ProjectID: id, OID: testOrg, Action: ActionKA122, Field: FieldSchool, CallYear: 2022, Round: round,
		StartDate: MustDate("2022-06-01"), EndDate: MustDate("2023-08-31"), RequestedCents: 6_000_000}
}

func submitKA121() SubmitApplication {
	return with(submitKA122("KA121-2022", 1), func(s *SubmitApplication) { s.Action = ActionKA121 })
}

func submitKA210(start, end string) SubmitApplication {
	return SubmitApplication{ProjectID: "KA210-2022", OID: testOrg, Action: ActionKA210, Field: FieldAdult, CallYear: 2022, Round: 1,
		Partners:  []Partner{{Name: "Volkshochschule", Country: "DE", Role: RoleFullPartner}},
		StartDate: MustDate(start), EndDate: MustDate(end), RequestedCents: 3_000_000, WorkPackages: workPackages(3_000_000)}
}

func submitKA220(start, end string) SubmitApplication {
	return SubmitApplication{ProjectID: "KA220-2022", OID: testOrg, Action: ActionKA220, Field: FieldVET, CallYear: 2022, Round: 1,
		Partners: []Partner{
			{Name: "Berufsschule", Country: "DE", Role: RoleFullPartner},
			{Name: "Lycée professionnel", Country: "FR", Role: RoleFullPartner},
		},
		StartDate: MustDate(start), EndDate: MustDate(end), RequestedCents: 25_000_000, WorkPackages: workPackages(25_000_000)}
}

// workPackages divides a lump sum into a management work package (a fifth)
// and a work package for the rest (KA2-WORK-PACKAGES).
func workPackages(lump int64) []WorkPackage {
	return []WorkPackage{{ID: "WP1", Title: "Project management", ShareCents: lump / 5}, {ID: "WP2", Title: "Activities", ShareCents: lump - lump/5}}
}

func submitKA202(start, end string) SubmitApplication {
	return SubmitApplication{ProjectID: "KA202-2019", OID: testOrg, Action: ActionKA202, Field: FieldVET, CallYear: 2019, Round: 1,
		Partners: []Partner{
			{Name: "Berufsschule", Country: "DE", Role: RoleFullPartner},
			{Name: "College", Country: "UK", Role: RoleFullPartner},
		},
		StartDate: MustDate(start), EndDate: MustDate(end), RequestedCents: 30_000_000}
}

func eligible(id string) Event {
	return EligibilityAssessed{ProjectID: id, OID: testOrg, Outcome: OutcomeEligible, AssessedOn: MustDate("2022-04-01")}
}

func callCases() []ruleCase {
	reg := registered()
	accSchool := cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15"))
	otherKA122 := cat(reg, []Event{submitted("OTHER", ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)})
	return []ruleCase{
		{name: "PRG-PERIOD/KA122 of call 2021 allowed", given: reg, now: "2021-05-01",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.CallYear = 2021 })},
		{name: "PRG-PERIOD/KA122 of call 2020 refused", given: reg, now: "2020-03-01", rule: "PRG-PERIOD",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.CallYear = 2020 })},
		{name: "PRG-PERIOD/KA202 of call 2020 allowed", given: reg, now: "2020-04-01",
			cmd: with(submitKA202("2020-09-01", "2022-08-31"), func(s *SubmitApplication) { s.CallYear = 2020 })},
		{name: "PRG-PERIOD/KA202 of call 2021 refused", given: reg, now: "2021-04-01", rule: "PRG-PERIOD",
			cmd: with(submitKA202("2021-09-01", "2023-08-31"), func(s *SubmitApplication) { s.CallYear = 2021 })},

		{name: "CALL-DEADLINE/12:00 CET on the deadline day allowed", given: reg, now: "2022-02-23T11:00:00Z", cmd: submitKA122("P", 1)},
		{name: "CALL-DEADLINE/one second after 12:00 CET refused", given: reg, now: "2022-02-23T11:00:01Z", rule: "CALL-DEADLINE", cmd: submitKA122("P", 1)},
		{name: "CALL-DEADLINE/12:00 CEST in May 2021 allowed", given: reg, now: "2021-05-11T10:00:00Z",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.CallYear = 2021 })},
		{name: "CALL-DEADLINE/one second after 12:00 CEST refused", given: reg, now: "2021-05-11T10:00:01Z", rule: "CALL-DEADLINE",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.CallYear = 2021 })},
		{name: "CALL-DEADLINE/KA210 round 2 of 2021 on 2021-11-03 allowed", given: reg, now: "2021-11-03T10:59:00Z",
			cmd: with(submitKA210("2022-03-01", "2023-02-28"), func(s *SubmitApplication) { s.CallYear, s.Round = 2021, 2 })},
		{name: "CALL-DEADLINE/KA220 has no round 2 refused", given: reg, now: "2022-03-01", rule: "CALL-DEADLINE",
			cmd: with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.Round = 2 })},

		{name: "CALL-ONE-PER-ROUND/second KA122 in the same round refused", given: otherKA122, now: "2022-02-01", rule: "CALL-ONE-PER-ROUND", cmd: submitKA122("P", 1)},
		{name: "CALL-ONE-PER-ROUND/KA122 in the next round allowed", given: otherKA122, now: "2022-09-01",
			cmd: with(submitKA122("P", 2), func(s *SubmitApplication) { s.StartDate, s.EndDate = MustDate("2023-01-01"), MustDate("2023-12-31") })},
		{name: "CALL-ONE-PER-ROUND/KA122 after the first was withdrawn allowed", now: "2022-02-01", cmd: submitKA122("P", 1),
			given: cat(otherKA122, []Event{ApplicationWithdrawn{ProjectID: "OTHER", OID: testOrg}})},

		{name: "KA121-ACCREDITED/accredited in the field allowed", given: accSchool, now: "2022-02-01", cmd: submitKA121()},
		{name: "KA121-ACCREDITED/not accredited refused", given: reg, now: "2022-02-01", rule: "KA121-ACCREDITED", cmd: submitKA121()},
		{name: "KA121-ACCREDITED/accredited in another field refused", now: "2022-02-01", rule: "KA121-ACCREDITED", cmd: submitKA121(),
			given: cat(reg, accredited("ACC-ADU", FieldAdult, AccreditationSingle, "2021-01-15"))},
		{name: "KA121-ACCREDITED/accreditation withdrawn the day before refused", now: "2022-02-01", rule: "KA121-ACCREDITED", cmd: submitKA121(),
			given: cat(accSchool, []Event{AccreditationWithdrawn{OID: testOrg, AccreditationID: "ACC-SCH", Field: FieldSchool, WithdrawnOn: MustDate("2022-01-31")}})},
		{name: "KA121-ACCREDITED/accreditation withdrawn the day after allowed", now: "2022-02-01", cmd: submitKA121(),
			given: cat(accSchool, []Event{AccreditationWithdrawn{OID: testOrg, AccreditationID: "ACC-SCH", Field: FieldSchool, WithdrawnOn: MustDate("2022-02-02")}})},
		{name: "KA121-ACCREDITED/consortium without consortium accreditation refused", given: accSchool, now: "2022-02-01", rule: "KA121-ACCREDITED",
			cmd: with(submitKA121(), func(s *SubmitApplication) { s.Consortium = true })},
		{name: "KA121-ACCREDITED/consortium with consortium accreditation allowed", now: "2022-02-01",
			given: cat(reg, accredited("ACC-CON", FieldSchool, AccreditationConsortium, "2021-01-15")),
			cmd:   with(submitKA121(), func(s *SubmitApplication) { s.Consortium = true })},
		{name: "KA121-ACCREDITED/consortium with a single and a consortium accreditation in the field allowed", now: "2022-02-01",
			given: cat(reg, accredited("ACC-A", FieldSchool, AccreditationSingle, "2021-01-15"), accredited("ACC-Z", FieldSchool, AccreditationConsortium, "2021-01-15")),
			cmd:   with(submitKA121(), func(s *SubmitApplication) { s.Consortium = true })},
		{name: "KA121-ACCREDITED/second KA121 of the year refused", now: "2022-02-01", rule: "KA121-ACCREDITED",
			given: cat(accSchool, []Event{submitted("FIRST", ActionKA121, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)}),
			cmd:   submitKA121()},
	}
}

func actionCases() []ruleCase {
	reg := registered()
	accSchool := cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15"))
	ka121Running := cat(accSchool, []Event{submitted("KA121-2022", ActionKA121, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		running("KA121-2022", 5_000_000, "2022-05-20"))
	amend := func(id, end string) AmendProject {
		return AmendProject{ProjectID: id, AmendmentID: "AM1", EndDate: MustDate(end), Justification: "more time for mobilities"}
	}
	withEnd := func(s SubmitApplication, end string) SubmitApplication {
		s.EndDate = MustDate(end)
		return s
	}
	threeKA122 := cat(reg,
		[]Event{submitted("K21", ActionKA122, 2021, 1, "2021-09-01", "2022-08-31", 1_000_000)}, approved("K21", 1_000_000, "2021-08-01"),
		[]Event{submitted("K22", ActionKA122, 2022, 1, "2022-09-01", "2023-08-31", 1_000_000)}, approved("K22", 1_000_000, "2022-08-01"),
		[]Event{submitted("K23", ActionKA122, 2023, 1, "2023-09-01", "2024-08-31", 1_000_000)}, approved("K23", 1_000_000, "2023-08-01"))
	candidate := func(year int) []Event {
		start := NewDate(year, 6, 1)
		return []Event{submitted("NEXT", ActionKA122, year, 1, start.String(), MonthsEnd(start, 12).String(), 1_000_000), eligible("NEXT")}
	}
	approve := DecideApplication{ProjectID: "NEXT", Outcome: OutcomeApproved, AwardedCents: 1_000_000}
	return []ruleCase{
		{name: "KA121-DURATION/15 months allowed", given: accSchool, now: "2022-02-01", cmd: submitKA121()},
		{name: "KA121-DURATION/15 months and a day refused", given: accSchool, now: "2022-02-01", rule: "KA121-DURATION", cmd: withEnd(submitKA121(), "2023-09-01")},
		{name: "KA121-DURATION/24 months by amendment allowed", given: ka121Running, now: "2023-01-01", cmd: amend("KA121-2022", "2024-05-31")},
		{name: "KA121-DURATION/24 months and a day by amendment refused", given: ka121Running, now: "2023-01-01", rule: "KA121-DURATION", cmd: amend("KA121-2022", "2024-06-01")},
		{name: "KA121-GLOBAL/KA121 mobility to Japan allowed", given: ka121Running, now: "2023-01-01",
			cmd: ReportMobility{ProjectID: "KA121-2022", Mobility: with(jobShadow("M1"), func(m *Mobility) { m.ReceivingCountry, m.ReceivingCity, m.DistanceKm = "JP", "Tokyo", 7800 })}},

		{name: "KA122-NOT-ACCREDITED/accredited in the field refused", given: accSchool, now: "2022-02-01", rule: "KA122-NOT-ACCREDITED", cmd: submitKA122("P", 1)},
		{name: "KA122-NOT-ACCREDITED/accredited in another field allowed", now: "2022-02-01", cmd: submitKA122("P", 1),
			given: cat(reg, accredited("ACC-ADU", FieldAdult, AccreditationSingle, "2021-01-15"))},
		{name: "KA122-NOT-ACCREDITED/consortium refused", given: reg, now: "2022-02-01", rule: "KA122-NOT-ACCREDITED",
			cmd: with(submitKA122("P", 1), func(s *SubmitApplication) { s.Consortium = true })},
		{name: "KA122-DURATION/6 months allowed", given: reg, now: "2022-02-01", cmd: withEnd(submitKA122("P", 1), "2022-11-30")},
		{name: "KA122-DURATION/6 months less a day refused", given: reg, now: "2022-02-01", rule: "KA122-DURATION", cmd: withEnd(submitKA122("P", 1), "2022-11-29")},
		{name: "KA122-DURATION/18 months allowed", given: reg, now: "2022-02-01", cmd: withEnd(submitKA122("P", 1), "2023-11-30")},
		{name: "KA122-DURATION/18 months and a day refused", given: reg, now: "2022-02-01", rule: "KA122-DURATION", cmd: withEnd(submitKA122("P", 1), "2023-12-01")},

		{name: "KA122-MAX-PROJECTS/third KA122 of the period allowed", now: "2024-08-01", cmd: approve,
			given: cat(threeKA122[:len(threeKA122)-3], candidate(2024))},
		{name: "KA122-MAX-PROJECTS/fourth KA122 of the period refused", now: "2024-08-01", rule: "KA122-MAX-PROJECTS", cmd: approve,
			given: cat(threeKA122, candidate(2024))},
		{name: "KA122-MAX-PROJECTS/rejected projects do not count", now: "2024-08-01", cmd: approve,
			given: cat(threeKA122[:len(threeKA122)-1],
				[]Event{ApplicationDecided{ProjectID: "K23", OID: testOrg, Outcome: OutcomeRejected}}, candidate(2024))},
		{name: "KA122-MAX-PROJECTS/5-year window: 2027 after 2021-2023 allowed", now: "2027-08-01", cmd: approve,
			policy: Policy{KA122WindowYears: 5}, given: cat(threeKA122, candidate(2027))},
		{name: "KA122-MAX-PROJECTS/5-year window: 2025 after 2021-2023 refused", now: "2025-08-01", rule: "KA122-MAX-PROJECTS", cmd: approve,
			policy: Policy{KA122WindowYears: 5}, given: cat(threeKA122, candidate(2025))},
		{name: "KA122-MAX-PROJECTS/reserve list is not a grant", now: "2024-08-01", cmd: DecideApplication{ProjectID: "NEXT", Outcome: OutcomeReserve},
			given: cat(threeKA122, candidate(2024))},

		{name: "KA122-NO-PARTNER-COUNTRY/mobility to Japan refused", given: ka122(), now: "2023-01-01", rule: "KA122-NO-PARTNER-COUNTRY",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.ReceivingCountry, m.DistanceKm = "JP", 7800 }))},
		{name: "KA122-NO-PARTNER-COUNTRY/mobility to Norway allowed", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.ReceivingCountry, m.ReceivingCity = "NO", "Oslo" }))},
		{name: "CTRY-UK/KA122 of call 2022 to the UK refused", given: ka122(), now: "2023-01-01", rule: "CTRY-UK",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.ReceivingCountry, m.ReceivingCity = "GB", "London" }))},
		{name: "CTRY-UK/UK partner counts for KA202 of call 2019", given: reg, now: "2019-03-01", cmd: submitKA202("2019-09-01", "2021-08-31")},
		{name: "CTRY-UK/UK partner of KA210 of call 2022 refused", given: reg, now: "2022-03-01", rule: "CTRY-UK",
			cmd: with(submitKA210("2022-09-01", "2023-08-31"), func(s *SubmitApplication) {
				s.Partners = append(s.Partners, Partner{Name: "College", Country: "UK", Role: RoleAssociatedPartner})
			})},
		{name: "CTRY-PROGRAMME/Turkish partner counts toward the KA220 minimum", given: reg, now: "2022-03-01",
			cmd: with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.Partners[1].Country = "TR" })},
		{name: "CTRY-PROGRAMME/GR is accepted as EL", given: reg, now: "2022-03-01",
			cmd: with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.Partners[1].Country = "gr" }),
			check: func(t *testing.T, ev Event) {
				if c := ev.(ApplicationSubmitted).Partners[1].Country; c != "EL" {
					t.Fatalf("partner country %q, want EL", c)
				}
			}},

		{name: "KA210-DURATION/6 months allowed", given: reg, now: "2022-03-01", cmd: submitKA210("2022-09-01", "2023-02-28")},
		{name: "KA210-DURATION/6 months less a day refused", given: reg, now: "2022-03-01", rule: "KA210-DURATION", cmd: submitKA210("2022-09-01", "2023-02-27")},
		{name: "KA210-DURATION/24 months allowed", given: reg, now: "2022-03-01", cmd: submitKA210("2022-09-01", "2024-08-31")},
		{name: "KA210-DURATION/24 months and a day refused", given: reg, now: "2022-03-01", rule: "KA210-DURATION", cmd: submitKA210("2022-09-01", "2024-09-01")},
		{name: "KA210-PARTNERS/two organisations from two countries allowed", given: reg, now: "2022-03-01", cmd: submitKA210("2022-09-01", "2023-08-31")},
		{name: "KA210-PARTNERS/two organisations from one country refused", given: reg, now: "2022-03-01", rule: "KA210-PARTNERS",
			cmd: with(submitKA210("2022-09-01", "2023-08-31"), func(s *SubmitApplication) { s.Partners[0].Country = "FI" })},
		{name: "KA210-PARTNERS/partner from a partner country refused", given: reg, now: "2022-03-01", rule: "KA210-PARTNERS",
			cmd: with(submitKA210("2022-09-01", "2023-08-31"), func(s *SubmitApplication) {
				s.Partners = append(s.Partners, Partner{Name: "NGO", Country: "US", Role: RoleAssociatedPartner})
			})},
		{name: "KA210-LUMP/30 000 EUR allowed", given: reg, now: "2022-03-01", cmd: submitKA210("2022-09-01", "2023-08-31")},
		{name: "KA210-LUMP/45 000 EUR refused", given: reg, now: "2022-03-01", rule: "KA210-LUMP",
			cmd: with(submitKA210("2022-09-01", "2023-08-31"), func(s *SubmitApplication) { s.RequestedCents = 4_500_000 })},
		{name: "KA210-LUMP/award of 60 000 EUR allowed", now: "2022-06-01", cmd: DecideApplication{ProjectID: "KA210-2022", Outcome: OutcomeApproved, AwardedCents: 6_000_000},
			given: cat(reg, []Event{submitted("KA210-2022", ActionKA210, 2022, 1, "2022-09-01", "2023-08-31", 6_000_000), eligible("KA210-2022")})},
		{name: "KA210-LUMP/award of 59 999 EUR refused", now: "2022-06-01", rule: "KA210-LUMP",
			cmd:   DecideApplication{ProjectID: "KA210-2022", Outcome: OutcomeApproved, AwardedCents: 5_999_900},
			given: cat(reg, []Event{submitted("KA210-2022", ActionKA210, 2022, 1, "2022-09-01", "2023-08-31", 6_000_000), eligible("KA210-2022")})},

		{name: "KA220-DURATION/12 months allowed", given: reg, now: "2022-03-01", cmd: submitKA220("2022-11-01", "2023-10-31")},
		{name: "KA220-DURATION/12 months less a day refused", given: reg, now: "2022-03-01", rule: "KA220-DURATION", cmd: submitKA220("2022-11-01", "2023-10-30")},
		{name: "KA220-DURATION/36 months allowed", given: reg, now: "2022-03-01", cmd: submitKA220("2022-11-01", "2025-10-31")},
		{name: "KA220-DURATION/36 months and a day refused", given: reg, now: "2022-03-01", rule: "KA220-DURATION", cmd: submitKA220("2022-11-01", "2025-11-01")},
		{name: "KA220-PARTNERS/three organisations from three countries allowed", given: reg, now: "2022-03-01", cmd: submitKA220("2022-11-01", "2024-10-31")},
		{name: "KA220-PARTNERS/partner-country partner does not count: refused", given: reg, now: "2022-03-01", rule: "KA220-PARTNERS",
			cmd: with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.Partners[1].Country = "US" })},
		{name: "KA220-PARTNERS/partner-country partner on top allowed", given: reg, now: "2022-03-01",
			cmd: with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) {
				s.Partners = append(s.Partners, Partner{Name: "University", Country: "US", Role: RoleFullPartner})
			})},
		{name: "KA220-PARTNERS/associated partner does not count: refused", given: reg, now: "2022-03-01", rule: "KA220-PARTNERS",
			cmd: with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.Partners[1].Role = RoleAssociatedPartner })},
		{name: "KA220-LUMP/250 000 EUR in call 2022 allowed", given: reg, now: "2022-03-01", cmd: submitKA220("2022-11-01", "2024-10-31")},
		{name: "KA220-LUMP/200 000 EUR in call 2022 refused", given: reg, now: "2022-03-01", rule: "KA220-LUMP",
			cmd: with(submitKA220("2022-11-01", "2024-10-31"), func(s *SubmitApplication) { s.RequestedCents = 20_000_000 })},
		{name: "KA220-LUMP/any amount in call 2021 allowed", given: reg, now: "2021-05-01",
			cmd: with(submitKA220("2021-11-01", "2023-10-31"), func(s *SubmitApplication) {
				s.CallYear, s.RequestedCents, s.WorkPackages = 2021, 20_012_345, nil
			})},

		{name: "KA202-SP/12 months allowed", given: reg, now: "2019-03-01", cmd: submitKA202("2019-09-01", "2020-08-31")},
		{name: "KA202-SP/12 months less a day refused", given: reg, now: "2019-03-01", rule: "KA202-SP", cmd: submitKA202("2019-09-01", "2020-08-30")},
		{name: "KA202-SP/36 months and a day refused", given: reg, now: "2019-03-01", rule: "KA202-SP", cmd: submitKA202("2019-09-01", "2022-09-01")},
		{name: "KA202-SP/two countries refused", given: reg, now: "2019-03-01", rule: "KA202-SP",
			cmd: with(submitKA202("2019-09-01", "2021-08-31"), func(s *SubmitApplication) { s.Partners[1].Country = "DE" })},
	}
}

package aggregates

import "github.com/erasmus-ledger/grants/aggregates/catalog"

// uaApplied are the events that apply the Ukraine exception to project id.
func uaApplied(id string) []Event {
	return []Event{
		UkraineExceptionRequested{ProjectID: id, OID: testOrg, Justification: "pupils fleeing the war", RequestedOn: MustDate("2022-08-01")},
		UkraineExceptionDecided{ProjectID: id, OID: testOrg, Outcome: OutcomeApplied, DecidedOn: MustDate("2022-08-10")},
	}
}

// uaPupil is a 20-day short-term pupil mobility under the exception.
func uaPupil() Mobility {
	return Mobility{
		MobilityID: "UA1", ParticipantID: "PART-UA1",
		Personal: Personal{FirstName: "Olena", LastName: "Shevchenko", BirthDate: MustDate("2010-01-01")},
		Activity: catalog.CodePupilShort, StartDate: MustDate("2022-09-01"), EndDate: MustDate("2022-09-20"),
		SendingOrganisation: "School No. 5 Kharkiv", ReceivingOrganisation: "Testikoulu",
		SendingCountry: "UA", ReceivingCountry: "FI", ReceivingCity: "Helsinki", DistanceKm: 1500,
		Ukraine: &UkraineParticipant{Category: UkrainePupil, Documents: []string{DocEnrolmentCertificate}, ReceivingSignature: true},
	}
}

// uaStaff is a 10-day job shadowing of a Ukrainian teacher.
func uaStaff() Mobility {
	return with(uaPupil(), func(m *Mobility) {
		m.Activity = catalog.CodeJobShadowing
		m.StartDate, m.EndDate = MustDate("2022-09-01"), MustDate("2022-09-10")
		m.Personal.BirthDate = MustDate("1985-03-03")
		m.Ukraine = &UkraineParticipant{Category: UkraineStaff, WorkedInUkraine: true, Documents: []string{DocPaySlip}, ReceivingSignature: true}
	})
}

func uaMod(m Mobility, f func(*Mobility, *UkraineParticipant)) ReportMobility {
	u := *m.Ukraine
	f(&m, &u)
	m.Ukraine = &u
	return report(m)
}

func ukraineCases() []ruleCase {
	ua := ka122(uaApplied(testProject)...)
	request := RequestUkraineException{ProjectID: testProject, Justification: "pupils fleeing the war"}
	ka2024 := cat(registered(), []Event{submitted("P24", ActionKA122, 2024, 1, "2024-06-01", "2025-08-31", 6_000_000)},
		running("P24", 5_000_000, "2024-05-20"))
	ka220 := cat(registered(), []Event{submitted("KA220-2022", ActionKA220, 2022, 1, "2022-11-01", "2024-10-31", 25_000_000)},
		running("KA220-2022", 25_000_000, "2022-08-01"))
	ka121UA := cat(registered(), accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15"),
		[]Event{submitted("KA121-2022", ActionKA121, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		running("KA121-2022", 5_000_000, "2022-05-20"), uaApplied("KA121-2022"))
	raise := func(id string, cents int64) AmendProject {
		return AmendProject{ProjectID: id, AmendmentID: "AM-UA", AwardedCents: &cents, Justification: "more pupils"}
	}
	return []ruleCase{
		{name: "UA-SCOPE/KA122 approved in 2022 may request", given: ka122(), now: "2022-08-01", cmd: request},
		{name: "UA-SCOPE/KA122 approved in 2024 refused", given: ka2024, now: "2024-08-01", rule: "UA-SCOPE",
			cmd: RequestUkraineException{ProjectID: "P24", Justification: "pupils"}},
		{name: "UA-SCOPE/KA220 refused", given: ka220, now: "2022-12-01", rule: "UA-SCOPE",
			cmd: RequestUkraineException{ProjectID: "KA220-2022", Justification: "pupils"}},
		{name: "UA-SCOPE/national office applies a pending request", now: "2022-08-10",
			given: ka122(uaApplied(testProject)[0]), cmd: DecideUkraineException{ProjectID: testProject, Outcome: OutcomeApplied}},
		{name: "UA-SCOPE/mobility before the exception is applied refused", now: "2023-01-01", rule: "UA-SCOPE",
			given: ka122(uaApplied(testProject)[0]), cmd: report(uaPupil())},
		{name: "UA-SCOPE/mobility once the exception is applied allowed", given: ua, now: "2023-01-01", cmd: report(uaPupil())},

		{name: "UA-GRANT-FIXED/KA122 grant raised refused", given: ua, now: "2023-01-01", rule: "UA-GRANT-FIXED", cmd: raise(testProject, 5_000_001)},
		{name: "UA-GRANT-FIXED/KA122 grant lowered allowed", given: ua, now: "2023-01-01", cmd: raise(testProject, 4_999_999)},
		{name: "UA-GRANT-FIXED/accredited KA121 grant raised allowed", given: ka121UA, now: "2023-01-01", cmd: raise("KA121-2022", 6_000_000)},

		{name: "UA-VENUE/mobility in Finland from Finland allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.SendingCountry, m.DistanceKm = "FI", 20 })},
		{name: "UA-STAFF-ACTS/job shadowing of 60 days allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { m.EndDate = m.StartDate.AddDays(59) })},
		{name: "UA-STAFF-ACTS/course the office has not accepted refused", given: ua, now: "2023-01-01", rule: "UA-STAFF-ACTS",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { m.Activity = catalog.CodeCourse })},
		{name: "UA-STAFF-ACTS/hosting a teacher for 10 days allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { m.Activity = catalog.CodeHostingTeacher })},
		{name: "UA-PUPIL-ACTS/short-term pupil mobility of 10 days allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.EndDate = m.StartDate.AddDays(9) })},
		{name: "UA-PUPIL-ACTS/group mobility without a right to study refused", given: ua, now: "2023-01-01", rule: "UA-PUPIL-ACTS",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.Activity, m.GroupID = catalog.CodePupilGroup, "G1" })},
		{name: "UA-PUPIL-ACTS/group mobility with a right to study allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) {
				m.Activity, m.GroupID, u.RightToStudy = catalog.CodePupilGroup, "G1", true
			})},
		{name: "UA-PUPIL-ACTS/pupil offered preparatory education refused", given: ua, now: "2023-01-01", rule: "UA-PUPIL-ACTS",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { u.RightToStudy, u.PreparatoryOffered = true, true })},
		{name: "UA-ELIG-PUPIL/17 the day before the 18th birthday allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.Personal.BirthDate = MustDate("2004-09-02") })},
		{name: "UA-ELIG-PUPIL/18 on the start date refused", given: ua, now: "2023-01-01", rule: "UA-ELIG-PUPIL",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.Personal.BirthDate = MustDate("2004-09-01") })},
		{name: "UA-ELIG-PUPIL/no birth date refused", given: ua, now: "2023-01-01", rule: "UA-ELIG-PUPIL",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.Personal.BirthDate = Date{} })},
		{name: "UA-ELIG-STAFF/staff without Ukrainian work or education refused", given: ua, now: "2023-01-01", rule: "UA-ELIG-STAFF",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { u.WorkedInUkraine = false })},
		{name: "UA-ELIG-STAFF/staff with suitable education allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { u.WorkedInUkraine, u.SuitableEducation = false, true })},
		{name: "UA-ELIG-STAFF/invited expert without matching expertise refused", given: ua, now: "2023-01-01", rule: "UA-ELIG-STAFF",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) {
				m.Activity, u.Category = catalog.CodeInvitedExpert, UkraineInvitedExpert
			})},
		{name: "UA-ELIG-STAFF/invited expert with matching expertise allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) {
				m.Activity, u.Category, u.ExpertiseMatchesHost = catalog.CodeInvitedExpert, UkraineInvitedExpert, true
			})},
		{name: "UA-EVIDENCE/pupil without documents refused", given: ua, now: "2023-01-01", rule: "UA-EVIDENCE",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { u.Documents = nil })},
		{name: "UA-EVIDENCE/pupil with a staff pay slip only refused", given: ua, now: "2023-01-01", rule: "UA-EVIDENCE",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { u.Documents = []string{DocPaySlip} })},
		{name: "UA-EVIDENCE/staff with an employment contract allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaStaff(), func(m *Mobility, u *UkraineParticipant) { u.Documents = []string{DocEmploymentContract} })},
		{name: "UA-PROOF/no signature nor learning agreement refused", given: ua, now: "2023-01-01", rule: "UA-PROOF",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { u.ReceivingSignature = false })},
		{name: "UA-PROOF/learning agreement alone allowed", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { u.ReceivingSignature, u.LearningAgreement = false, true })},
		{name: "UA-ORG-SUPPORT/500 EUR per participant", given: ua, now: "2023-01-01", cmd: report(uaPupil()), check: wantLine("UA-ORG-SUPPORT", 50_000)},
		{name: "UA-INDIVIDUAL/individual support at Finland's group", given: ua, now: "2023-01-01", cmd: report(uaPupil()), check: wantLine("UA-INDIVIDUAL", -1)},
		{name: "UA-LINGUISTIC/300 EUR of receipts paid", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { u.LinguisticCents = 30_000 }), check: wantLine("UA-LINGUISTIC", 30_000)},
		{name: "UA-LINGUISTIC/receipts over 300 EUR capped at 300", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { u.LinguisticCents = 30_001 }), check: wantLine("UA-LINGUISTIC", 30_000)},
		{name: "UA-INCLUSION/inclusion support applied for is paid", given: ua, now: "2023-01-01",
			cmd: uaMod(uaPupil(), func(m *Mobility, u *UkraineParticipant) { m.InclusionCents = 40_000 }), check: wantLine("UA-INCLUSION", -1)},
	}
}

package aggregates

import (
	"reflect"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/events"
)

// story runs commands one after the other, each at its effective date,
// folding every decided event into the state; it fails on a refusal.
type story struct {
	t      *testing.T
	d      *Domain
	state  Portfolio
	events []Event
}

func newStory(t *testing.T) *story {
	return &story{t: t, d: testDomain(), state: NewPortfolio(testOrg)}
}

func (s *story) do(now string, actor events.Actor, cmd Command) Event {
	s.t.Helper()
	before := mustJSON(s.t, s.state)
	evs, err := s.d.Decide(Context{Now: at(now), Actor: actor}, s.state, cmd)
	if err != nil {
		s.t.Fatalf("%s on %s refused: %v", cmd.CommandType(), now, err)
	}
	if mustJSON(s.t, s.state) != before {
		s.t.Fatalf("%s changed the state it was decided on", cmd.CommandType())
	}
	for _, e := range evs {
		prev := mustJSON(s.t, s.state)
		next := Evolve(s.state, e)
		if mustJSON(s.t, s.state) != prev {
			s.t.Fatalf("Evolve(%s) mutated its input", e.EventType())
		}
		s.state = next
	}
	s.events = append(s.events, evs...)
	return evs[0]
}

// TestLifecycleKA121 follows an accredited school from registration to the
// closing of its KA121 project with the Ukraine exception.
func TestLifecycleKA121(t *testing.T) {
	s := newStory(t)
	const id = "2022-1-FI01-KA121-SCH-000000007"
	s.do("2021-01-04", beneficiary, RegisterOrganisation{OID: testOrg, LegalName: "Testikoulu", Country: "FI", City: "Helsinki", Kind: OrgSchool})
	s.do("2021-01-05", beneficiary, ApplyForAccreditation{OID: testOrg, AccreditationID: "ACC-2021-SCH", Field: FieldSchool, Kind: AccreditationSingle,
		StrategyAttached: true, Plan: ErasmusPlan{FromYear: 2021, ToYear: 2027, Objectives: []Objective{{Text: "language skills", Indicators: []string{"CEFR levels"}}}}})
	s.do("2021-03-01", office, DecideAccreditation{OID: testOrg, AccreditationID: "ACC-2021-SCH", Outcome: OutcomeGranted})
	s.do("2022-02-10", beneficiary, SubmitApplication{ProjectID: id, OID: testOrg, Action: ActionKA121, Field: FieldSchool, CallYear: 2022, Round: 1,
		StartDate: MustDate("2022-06-01"), EndDate: MustDate("2023-08-31"), RequestedCents: 8_000_000})
	s.do("2022-04-01", office, AssessEligibility{ProjectID: id, Outcome: OutcomeEligible})
	s.do("2022-05-20", office, DecideApplication{ProjectID: id, Outcome: OutcomeApproved, AwardedCents: 6_000_000})
	s.do("2022-06-10", beneficiary, SignGrantAgreement{ProjectID: id, AgreementNo: "GA-7"})
	s.do("2022-06-20", office, RecordPayment{ProjectID: id, PaymentID: "PF1", Kind: PaymentPreFinancing, AmountCents: 4_800_000})
	s.do("2022-07-01", beneficiary, RequestUkraineException{ProjectID: id, Justification: "Ukrainian pupils joined the school"})
	s.do("2022-07-15", office, DecideUkraineException{ProjectID: id, Outcome: OutcomeApplied})

	m := jobShadow("M1")
	ev := s.do("2022-09-12", beneficiary, ReportMobility{ProjectID: id, Mobility: m}).(MobilityReported)
	if ev.Grant.TotalCents <= 0 || ev.Days != 5 || ev.Mobility.Personal.FirstName != "Aino" || ev.OID != testOrg || ev.CallYear != 2022 {
		t.Fatalf("MobilityReported is not self-contained: %+v", ev)
	}
	pupil := uaPupil()
	s.do("2022-09-21", beneficiary, ReportMobility{ProjectID: id, Mobility: pupil})
	m.TravelDays = 1
	corr := s.do("2022-09-30", beneficiary, CorrectMobility{ProjectID: id, Mobility: m, Reason: "one travel day"}).(MobilityCorrected)
	if corr.PreviousTotalCents != ev.Grant.TotalCents || corr.Grant.TotalCents >= ev.Grant.TotalCents {
		t.Fatalf("correction: previous %d (want %d), new %d (want less)", corr.PreviousTotalCents, ev.Grant.TotalCents, corr.Grant.TotalCents)
	}
	s.do("2022-10-05", beneficiary, ReportMobility{ProjectID: id, Mobility: with(jobShadow("M2"), func(m *Mobility) { m.ReceivingCountry, m.ReceivingCity, m.DistanceKm = "JP", "Osaka", 7900 })})
	s.do("2022-10-06", beneficiary, CancelMobility{ProjectID: id, MobilityID: "M2", Reason: "entered twice"})
	s.do("2023-01-15", beneficiary, SubmitInterimReport{ProjectID: id, ReportID: "IR-1", Summary: "on track"})
	s.do("2023-03-01", office, AmendProject{ProjectID: id, AmendmentID: "AM-1", EndDate: MustDate("2024-05-31"), Justification: "extension to 24 months"})

	pr := s.state.Projects[id]
	want := s.state.Projects[id].Mobilities["M1"].Grant.TotalCents + s.state.Projects[id].Mobilities[pupil.MobilityID].Grant.TotalCents
	if pr.ReportedCents != want || pr.CountedMobilities != 2 || !pr.Mobilities["M2"].Cancelled {
		t.Fatalf("reported %d (want %d), counted %d (want 2), M2 cancelled %v", pr.ReportedCents, want, pr.CountedMobilities, pr.Mobilities["M2"].Cancelled)
	}
	if pr.EndDate != MustDate("2024-05-31") || len(pr.Amendments) != 1 {
		t.Fatalf("amendment not applied: end %s, amendments %v", pr.EndDate, pr.Amendments)
	}
	final := s.do("2024-06-15", beneficiary, SubmitFinalReport{ProjectID: id, Summary: "all done"}).(FinalReportSubmitted)
	if final.Mobilities != 2 || final.ReportedCents != want || final.Late {
		t.Fatalf("final report: %+v", final)
	}
	as := s.do("2024-07-01", office, AssessFinalReport{ProjectID: id, Outcome: OutcomeAccepted, FinalCents: want, Score: 85}).(FinalReportAssessed)
	if as.BalanceCents != want-4_800_000 {
		t.Fatalf("balance %d, want %d", as.BalanceCents, want-4_800_000)
	}
	// 4 800 EUR of pre-financing exceed the final grant: recover the rest.
	s.do("2024-07-10", office, RecordPayment{ProjectID: id, PaymentID: "REC1", Kind: PaymentRecovery, AmountCents: 4_800_000 - want})
	s.do("2024-07-20", office, CloseProject{ProjectID: id})
	pr = s.state.Projects[id]
	if pr.Status != StatusClosed || pr.NetPaidCents != want || pr.FinalCents != want {
		t.Fatalf("closed project: status %s, net paid %d, final %d, want %d", pr.Status, pr.NetPaidCents, pr.FinalCents, want)
	}
	if acc := s.state.Organisation.Accreditations["ACC-2021-SCH"]; acc.Status != AccreditationStatusGranted || acc.DecidedOn != MustDate("2021-03-01") {
		t.Fatalf("accreditation: %+v", acc)
	}
	// Replaying the story's events from nothing gives the same state.
	if got := mustJSON(t, fold(s.events...)); got != mustJSON(t, s.state) {
		t.Fatalf("replay differs from the decided state")
	}
}

// TestGivenWhenThen pins exact events for commands.
func TestGivenWhenThen(t *testing.T) {
	amount := int64(4_000_000)
	cases := []struct {
		name  string
		given []Event
		now   string
		actor events.Actor
		when  Command
		then  []Event
	}{
		{name: "withdrawal of a submitted application", now: "2022-03-01", actor: beneficiary,
			given: cat(registered(), []Event{submitted("P1", ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)}),
			when:  WithdrawApplication{ProjectID: "P1"},
			then:  []Event{ApplicationWithdrawn{ProjectID: "P1", OID: testOrg, WithdrawnOn: MustDate("2022-03-01")}}},
		{name: "approval carries the award and the project's identity", now: "2022-05-20", actor: office,
			given: cat(registered(), []Event{submitted("P1", ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000), eligible("P1")}),
			when:  DecideApplication{ProjectID: "P1", Outcome: OutcomeApproved, AwardedCents: amount},
			then: []Event{ApplicationDecided{ProjectID: "P1", OID: testOrg, Action: ActionKA122, Field: FieldSchool, CallYear: 2022, Round: 1,
				Outcome: OutcomeApproved, AwardedCents: amount, SupportDecided: true, DecidedOn: MustDate("2022-05-20")}}},
		{name: "assessment computes the balance", now: "2023-10-01", actor: office,
			given: ka122(PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "PF", Kind: PaymentPreFinancing, AmountCents: 4_000_000, NetPaidCents: 4_000_000},
				FinalReportSubmitted{ProjectID: testProject, OID: testOrg, SubmittedOn: MustDate("2023-09-10")}),
			when: AssessFinalReport{ProjectID: testProject, Outcome: OutcomeReduced, FinalCents: 4_500_000, Note: " late receipts "},
			then: []Event{FinalReportAssessed{ProjectID: testProject, OID: testOrg, Outcome: OutcomeReduced, FinalCents: 4_500_000,
				Note: "late receipts", AssessedOn: MustDate("2023-10-01"), BalanceCents: 500_000}}},
		{name: "registration normalises the country", now: "2022-01-10", actor: beneficiary,
			when: RegisterOrganisation{OID: testOrg, LegalName: " Testikoulu ", Country: "gr", City: "Athens", Kind: OrgSchool},
			then: []Event{OrganisationRegistered{OID: testOrg, LegalName: "Testikoulu", Country: "EL", City: "Athens", Kind: OrgSchool}}},
		{name: "cancellation carries the grant that no longer counts", now: "2023-01-01", actor: beneficiary,
			given: ka122(mobEvent("M1", 123_400, nil)),
			when:  CancelMobility{ProjectID: testProject, MobilityID: "M1"},
			then: []Event{MobilityCancelled{ProjectID: testProject, OID: testOrg, MobilityID: "M1", ParticipantID: "PART-M1",
				CancelledCents: 123_400, CancelledOn: MustDate("2023-01-01")}}},
		{name: "prep visit without distance", now: "2023-01-01", actor: beneficiary, given: ka122(),
			when: report(with(mobilityOf(catalog.CodePrepVisit, 2), func(m *Mobility) { m.Persons, m.DistanceKm, m.TravelDays, m.GroupID = 1, 0, 0, "" })),
			then: []Event{MobilityReported{ProjectID: testProject, OID: testOrg, Action: ActionKA122, CallYear: 2022,
				Mobility: with(mobilityOf(catalog.CodePrepVisit, 2), func(m *Mobility) { m.Persons, m.DistanceKm, m.TravelDays, m.GroupID = 1, 0, 0, "" }),
				Days:     2, Grant: GrantBreakdown{CallYear: 2022, TotalCents: 57_500, Lines: []GrantLine{{Category: "preparatory_visits", Rule: "BUD-PREP-VISIT",
					Explanation: prepExplanation(t), AmountCents: 57_500}}}, ReportedOn: MustDate("2023-01-01")}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := testDomain().Decide(Context{Now: at(c.now), Actor: c.actor}, fold(c.given...), c.when)
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !reflect.DeepEqual(got, c.then) {
				t.Fatalf("events:\n got %+v\nwant %+v", got, c.then)
			}
		})
	}
}

// prepExplanation is the calculator's explanation of one person's visit.
func prepExplanation(t *testing.T) string {
	tab, err := testBook.Year(2022)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tab.Calculate(ratesInput(catalog.CodePrepVisit))
	if err != nil || len(b.Lines) != 1 {
		t.Fatalf("prep visit: %v %+v", err, b)
	}
	return b.Lines[0].Explanation
}

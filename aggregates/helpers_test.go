package aggregates

import (
	"errors"
	"time"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// testOrg is the organisation of most tests: a Finnish school.
const testOrg = "E10000001"

// testProject is the project of most tests.
const testProject = "2022-1-FI01-KA122-SCH-000000001"

var testBook = func() *rates.Book {
	b, err := rates.Default()
	if err != nil {
		panic(err)
	}
	return b
}()

func testDomain() *Domain { return &Domain{Rates: testBook} }

// at parses "2006-01-02" (noon UTC) or an RFC 3339 time.
func at(s string) time.Time {
	if len(s) == len(DateLayout) {
		return MustDate(s).Time().Add(12 * time.Hour)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	office      = events.Actor{UserID: "u-office", Role: RoleNationalOffice}
	beneficiary = events.Actor{UserID: "u-ben", Role: RoleBeneficiary, Org: testOrg}
	analyst     = events.Actor{UserID: "u-analyst", Role: RoleAnalyst}
)

func officeAt(s string) Context { return Context{Now: at(s), Actor: office} }

// fold returns the state of testOrg after evs.
func fold(evs ...Event) Portfolio {
	p := NewPortfolio(testOrg)
	for _, e := range evs {
		p = Evolve(p, e)
	}
	return p
}

func cat(parts ...[]Event) []Event {
	var out []Event
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func registered() []Event {
	return []Event{OrganisationRegistered{OID: testOrg, LegalName: "Testikoulu", Country: "FI", City: "Helsinki", Kind: OrgSchool}}
}

func accredited(id, field, kind, on string) []Event {
	return []Event{
		AccreditationApplied{OID: testOrg, AccreditationID: id, Field: field, Kind: kind, AppliedOn: MustDate(on),
			Plan: ErasmusPlan{FromYear: 2021, ToYear: 2027, Objectives: []Objective{{Text: "o", Indicators: []string{"i"}}}}},
		AccreditationDecided{OID: testOrg, AccreditationID: id, Field: field, Kind: kind, Outcome: OutcomeGranted, DecidedOn: MustDate(on)},
	}
}

func submitted(id, action string, callYear, round int, start, end string, requested int64) ApplicationSubmitted {
	return ApplicationSubmitted{ProjectID: id, OID: testOrg, Action: action, Field: FieldSchool, CallYear: callYear, Round: round,
		StartDate: MustDate(start), EndDate: MustDate(end), RequestedCents: requested, ApplicantCountry: "FI",
		SubmittedOn: MustDate(start).AddDays(-120)}
}

// approved returns the events that approve project id on day on.
func approved(id string, awarded int64, on string) []Event {
	return []Event{
		EligibilityAssessed{ProjectID: id, OID: testOrg, Outcome: OutcomeEligible, AssessedOn: MustDate(on)},
		ApplicationDecided{ProjectID: id, OID: testOrg, Outcome: OutcomeApproved, AwardedCents: awarded, DecidedOn: MustDate(on)},
	}
}

// running returns the events of an approved project with a signed agreement.
func running(id string, awarded int64, on string) []Event {
	return append(approved(id, awarded, on), GrantAgreementSigned{ProjectID: id, OID: testOrg, AwardedCents: awarded, SignedOn: MustDate(on)})
}

// ka122 is testOrg with the running KA122 project testProject of call 2022
// (2022-06-01 to 2023-08-31, 50 000 EUR awarded on 2022-05-20).
func ka122(extra ...Event) []Event {
	return cat(registered(),
		[]Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		running(testProject, 5_000_000, "2022-05-20"), extra)
}

// jobShadow is a valid 5-day job shadowing from Helsinki to Germany.
func jobShadow(id string) Mobility {
	return Mobility{
		MobilityID: id, ParticipantID: "PART-" + id,
		Personal: Personal{FirstName: "Aino", LastName: "Virtanen", BirthDate: MustDate("1980-04-01"), Email: "aino@example.fi"},
		Activity: "SM-JOB-SHDW", StartDate: MustDate("2022-09-05"), EndDate: MustDate("2022-09-09"),
		SendingOrganisation: "Testikoulu", ReceivingOrganisation: "Schule Berlin", SendingCountry: "FI",
		ReceivingCountry: "DE", ReceivingCity: "Berlin", DistanceKm: 1100, TravelDays: 2,
	}
}

func report(m Mobility) ReportMobility { return ReportMobility{ProjectID: testProject, Mobility: m} }

// ruleOf returns the rule ID and code of err.
func ruleOf(err error) (string, apperr.Code) {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Rule, e.Code
	}
	return "", apperr.Internal
}

// recordPaysOrgSupport is BUD-ORG-SUPPORT's participant count read from a
// full record, as the rules read it before the compact facts: the
// reference the facts are checked against.
func recordPaysOrgSupport(r MobilityRecord) bool {
	return !r.Cancelled && !r.Mobility.Accompanying && r.Mobility.Activity != catalog.CodePrepVisit
}

// recordCountsTowardKA122Max is KA122-MAX-MOB's count read from a full
// record (the reference of mobilityFacts.countsTowardKA122Max).
func recordCountsTowardKA122Max(r MobilityRecord) bool {
	return !r.Cancelled && !r.Mobility.Accompanying && activityCountsTowardMax(r.Mobility.Activity)
}

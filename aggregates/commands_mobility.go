package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events"
)

// ReportMobility reports a completed mobility of a project. The request
// body is the project ID beside the mobility's fields.
type ReportMobility struct {
	ProjectID string `json:"project_id"`
	Mobility
}

// CommandType implements Command.
func (ReportMobility) CommandType() string { return "ReportMobility" }

// Target implements Command.
func (c ReportMobility) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (ReportMobility) OrgWide() bool { return false }

// Validate checks the fields.
func (c ReportMobility) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	c.Mobility.validate(&k)
	return k.result()
}

// CorrectMobility replaces a reported mobility (same mobility_id) with
// corrected data; the grant is recomputed.
type CorrectMobility struct {
	ProjectID string `json:"project_id"`
	Reason    string `json:"reason,omitempty"`
	Mobility
}

// CommandType implements Command.
func (CorrectMobility) CommandType() string { return "CorrectMobility" }

// Target implements Command.
func (c CorrectMobility) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (CorrectMobility) OrgWide() bool { return false }

// Validate checks the fields.
func (c CorrectMobility) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.text("reason", c.Reason, false)
	c.Mobility.validate(&k)
	return k.result()
}

// CancelMobility cancels a reported mobility.
type CancelMobility struct {
	ProjectID  string `json:"project_id"`
	MobilityID string `json:"mobility_id"`
	Reason     string `json:"reason,omitempty"`
}

// CommandType implements Command.
func (CancelMobility) CommandType() string { return "CancelMobility" }

// Target implements Command.
func (c CancelMobility) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (CancelMobility) OrgWide() bool { return false }

// Validate checks the fields.
func (c CancelMobility) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.id("mobility_id", c.MobilityID)
	k.text("reason", c.Reason, false)
	return k.result()
}

// validate checks a mobility's fields (rules are checked by Decide).
func (m Mobility) validate(k *check) {
	k.id("mobility_id", m.MobilityID)
	k.id("participant_id", m.ParticipantID)
	k.text("personal.first_name", m.Personal.FirstName, false)
	k.text("personal.last_name", m.Personal.LastName, false)
	k.text("personal.email", m.Personal.Email, false)
	if m.Personal.Nationality != "" {
		k.country("personal.nationality", m.Personal.Nationality)
	}
	act, ok := catalog.ActivityByCode(m.Activity)
	if !ok {
		k.fail("activity", "%q is not a Beneficiary Module activity code; known codes: %s", m.Activity, strings.Join(catalog.Codes(), ", "))
	}
	prep := ok && act.Code == catalog.CodePrepVisit
	k.period("start_date", "end_date", m.StartDate, m.EndDate)
	k.optionalDate("personal.birth_date", m.Personal.BirthDate)
	if !m.Personal.BirthDate.IsZero() && !m.StartDate.IsZero() && !m.Personal.BirthDate.Before(m.StartDate) {
		k.fail("personal.birth_date", "the birth date %s is not before the mobility's start %s", m.Personal.BirthDate, m.StartDate)
	}
	k.text("sending_organisation", m.SendingOrganisation, true)
	if m.SendingOID != "" {
		k.oid("sending_oid", m.SendingOID)
	}
	k.text("receiving_organisation", m.ReceivingOrganisation, true)
	k.country("sending_country", m.SendingCountry)
	k.country("receiving_country", m.ReceivingCountry)
	k.text("receiving_city", m.ReceivingCity, true)
	switch {
	case m.DistanceKm < 0:
		k.fail("distance_km", "must not be negative, got %d", m.DistanceKm)
	case m.DistanceKm > 40100:
		k.fail("distance_km", "%d km is longer than any distance on Earth", m.DistanceKm)
	case m.DistanceKm == 0 && !prep && (m.Origin == nil || m.Destination == nil):
		k.fail("distance_km", "give distance_km, or both origin and destination (lat/lon)")
	case m.DistanceKm > 0 && (m.Origin != nil || m.Destination != nil):
		k.fail("distance_km", "give either distance_km or origin and destination, not both")
	}
	k.place("origin", m.Origin)
	k.place("destination", m.Destination)
	if m.TravelDays < 0 || m.TravelDays > 10 {
		k.fail("travel_days", "%d travel days is not within 0 to 10", m.TravelDays)
	}
	k.cents("inclusion_cents", m.InclusionCents, money.MaxMobilityCents, false)
	if m.Persons < 0 {
		k.fail("persons", "must not be negative, got %d", m.Persons)
	}
	if m.CourseFeeDays < 0 {
		k.fail("course_fee_days", "must not be negative, got %d", m.CourseFeeDays)
	}
	k.cents("real_travel_cost_cents", m.RealTravelCostCents, money.MaxMobilityCents, false)
	k.optionalID("group_id", m.GroupID)
	if u := m.Ukraine; u != nil {
		k.oneOf("ukraine.category", u.Category, []string{UkrainePupil, UkraineStaff, UkraineInvitedExpert})
		all := append(PupilEvidence(), StaffEvidence()...)
		for i, d := range u.Documents {
			k.oneOf(idx("ukraine.documents", i), d, all)
		}
		k.text("ukraine.other_document", u.OtherDocument, false)
		k.cents("ukraine.linguistic_cents", u.LinguisticCents, money.MaxMobilityCents, false)
	}
}

func (k *check) place(field string, p *Place) {
	if p == nil {
		return
	}
	if p.Lat < -90 || p.Lat > 90 {
		k.fail(field+".lat", "latitude %v is not within -90 to 90", p.Lat)
	}
	if p.Lon < -180 || p.Lon > 180 {
		k.fail(field+".lon", "longitude %v is not within -180 to 180", p.Lon)
	}
}

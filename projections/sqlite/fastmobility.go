package sqlite

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Keys of the objects the fast path reads; an unknown key that matches one
// of them but for case is left to encoding/json, which matches keys
// case-insensitively.
var (
	eventKeys    = []string{"project_id", "oid", "action", "call_year", "days", "distance_km", "reported_on", "corrected_on", "previous_total_cents", "grant", "mobility"}
	grantKeys    = []string{"lines", "total_cents"}
	mobilityKeys = []string{"mobility_id", "participant_id", "activity", "start_date", "end_date", "sending_organisation", "receiving_organisation",
		"sending_country", "receiving_country", "receiving_city", "group_id", "green_travel", "fewer_opportunities", "accompanying",
		"travel_days", "persons", "ukraine", "personal", "personal_sealed"}
	personalKeys = []string{"first_name", "last_name", "birth_date", "email", "gender", "nationality"}
)

// other skips the value of a key the mirror does not read.
func (r *jreader) other(k []byte, known []string) error {
	for _, n := range known {
		if bytes.EqualFold(k, []byte(n)) {
			return errFast
		}
	}
	return r.skip(0)
}

// decodeMobilityEvent reads a MobilityReported or MobilityCorrected payload
// into the mirror, on the fast path when it can and with encoding/json
// otherwise (which then also reports malformed input). A fast read of a
// value encoding/json would refuse is not possible: the fast path only
// accepts well-formed JSON whose numbers are integers, its strings valid
// UTF-8. The event's unescaped strings alias b: b must not change while
// they are in use, and a cache that keeps one clones it.
func decodeMobilityEvent(b []byte, e *mobilityEvent) error {
	r := jreader{b: b}
	if utf8.Valid(b) {
		if err := r.mobilityEvent(e); err == nil && r.end() == nil {
			return nil
		}
	}
	*e = mobilityEvent{}
	return json.Unmarshal(b, e)
}

func (r *jreader) mobilityEvent(e *mobilityEvent) error {
	return r.object(func(k []byte) error {
		var err error
		switch string(k) {
		case "project_id":
			err = r.strTo(&e.ProjectID)
		case "oid":
			err = r.strTo(&e.OID)
		case "action":
			err = r.strTo(&e.Action)
		case "call_year":
			err = intTo(r, &e.CallYear)
		case "days":
			err = intTo(r, &e.Days)
		case "distance_km":
			err = intTo(r, &e.DistanceKm)
		case "reported_on":
			err = r.strTo(&e.ReportedOn)
		case "corrected_on":
			err = r.strTo(&e.CorrectedOn)
		case "previous_total_cents":
			err = intTo(r, &e.PreviousTotalCents)
		case "grant":
			err = r.object(func(k []byte) error {
				var err error
				switch string(k) {
				case "lines":
					err = r.grantLines(e)
				case "total_cents":
					err = intTo(r, &e.Grant.TotalCents)
				case "call_year":
					// The year of the rates applied: the read models do not keep it.
					err = r.skip(0)
				default:
					err = r.other(k, grantKeys)
				}
				return err
			})
		case "mobility":
			err = r.mobility(e)
		default:
			err = r.other(k, eventKeys)
		}
		return err
	})
}

func (r *jreader) mobility(e *mobilityEvent) error {
	m := &e.Mobility
	return r.object(func(k []byte) error {
		var err error
		switch string(k) {
		case "mobility_id":
			err = r.strTo(&m.MobilityID)
		case "participant_id":
			err = r.strTo(&m.ParticipantID)
		case "activity":
			err = r.strTo(&m.Activity)
		case "start_date":
			err = r.strTo(&m.StartDate)
		case "end_date":
			err = r.strTo(&m.EndDate)
		case "sending_organisation":
			err = r.strTo(&m.SendingOrganisation)
		case "receiving_organisation":
			err = r.strTo(&m.ReceivingOrganisation)
		case "sending_country":
			err = r.strTo(&m.SendingCountry)
		case "receiving_country":
			err = r.strTo(&m.ReceivingCountry)
		case "receiving_city":
			err = r.strTo(&m.ReceivingCity)
		case "group_id":
			err = r.strTo(&m.GroupID)
		case "green_travel":
			err = r.boolTo(&m.GreenTravel)
		case "fewer_opportunities":
			err = r.boolTo(&m.FewerOpportunities)
		case "accompanying":
			err = r.boolTo(&m.Accompanying)
		case "travel_days":
			err = intTo(r, &m.TravelDays)
		case "persons":
			err = intTo(r, &m.Persons)
		case "distance_km":
			// The reported distance: the read models keep the event's
			// distance_km, the one the travel band used.
			err = r.skip(0)
		case "ukraine":
			var raw []byte
			raw, err = r.raw()
			m.Ukraine = json.RawMessage(raw)
		case "personal_sealed":
			var raw []byte
			raw, err = r.raw()
			m.PersonalSealed = json.RawMessage(raw)
		case "personal":
			p := &m.Personal
			err = r.object(func(k []byte) error {
				var err error
				switch string(k) {
				case "first_name":
					err = r.strTo(&p.FirstName)
				case "last_name":
					err = r.strTo(&p.LastName)
				case "birth_date":
					err = r.strTo(&p.BirthDate)
				case "email":
					err = r.strTo(&p.Email)
				case "gender":
					err = r.strTo(&p.Gender)
				case "nationality":
					err = r.strTo(&p.Nationality)
				default:
					err = r.other(k, personalKeys)
				}
				return err
			})
		default:
			err = r.other(k, mobilityKeys)
		}
		return err
	})
}

// grantLines reads the grant lines of e: kept as they are (the mobility
// row stores them) and, on the fast path, read as the budget counts them
// (mobilityEvent.budget) in the same pass; lines the fast path cannot read
// are only skipped, and the writer reads them with encoding/json.
func (r *jreader) grantLines(e *mobilityEvent) error {
	r.ws()
	start := r.i
	lines, err := r.budgetLines(e.budgetBuf[:0])
	if err == nil {
		e.budget, e.budgetRead = lines, true
	} else {
		r.i = start
		e.budget, e.budgetRead = nil, false
		if err = r.skip(0); err != nil {
			return err
		}
	}
	e.Grant.Lines = json.RawMessage(r.b[start:r.i])
	return nil
}

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
		"travel_days", "persons", "ukraine", "personal"}
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
		var n int64
		switch string(k) {
		case "project_id":
			e.ProjectID, err = r.str()
		case "oid":
			e.OID, err = r.str()
		case "action":
			e.Action, err = r.str()
		case "call_year":
			n, err = r.int()
			e.CallYear = int(n)
		case "days":
			n, err = r.int()
			e.Days = int(n)
		case "distance_km":
			n, err = r.int()
			e.DistanceKm = int(n)
		case "reported_on":
			e.ReportedOn, err = r.str()
		case "corrected_on":
			e.CorrectedOn, err = r.str()
		case "previous_total_cents":
			e.PreviousTotalCents, err = r.int()
		case "grant":
			err = r.object(func(k []byte) error {
				var err error
				switch string(k) {
				case "lines":
					var raw []byte
					raw, err = r.raw()
					e.Grant.Lines = json.RawMessage(raw)
				case "total_cents":
					e.Grant.TotalCents, err = r.int()
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
		var n int64
		switch string(k) {
		case "mobility_id":
			m.MobilityID, err = r.str()
		case "participant_id":
			m.ParticipantID, err = r.str()
		case "activity":
			m.Activity, err = r.str()
		case "start_date":
			m.StartDate, err = r.str()
		case "end_date":
			m.EndDate, err = r.str()
		case "sending_organisation":
			m.SendingOrganisation, err = r.str()
		case "receiving_organisation":
			m.ReceivingOrganisation, err = r.str()
		case "sending_country":
			m.SendingCountry, err = r.str()
		case "receiving_country":
			m.ReceivingCountry, err = r.str()
		case "receiving_city":
			m.ReceivingCity, err = r.str()
		case "group_id":
			m.GroupID, err = r.str()
		case "green_travel":
			m.GreenTravel, err = r.bool()
		case "fewer_opportunities":
			m.FewerOpportunities, err = r.bool()
		case "accompanying":
			m.Accompanying, err = r.bool()
		case "travel_days":
			n, err = r.int()
			m.TravelDays = int(n)
		case "persons":
			n, err = r.int()
			m.Persons = int(n)
		case "distance_km":
			// The reported distance: the read models keep the event's distance_km, the one the travel band used.
			err = r.skip(0)
		case "ukraine":
			var raw []byte
			raw, err = r.raw()
			m.Ukraine = json.RawMessage(raw)
		case "personal":
			p := &m.Personal
			err = r.object(func(k []byte) error {
				var err error
				switch string(k) {
				case "first_name":
					p.FirstName, err = r.str()
				case "last_name":
					p.LastName, err = r.str()
				case "birth_date":
					p.BirthDate, err = r.str()
				case "email":
					p.Email, err = r.str()
				case "gender":
					p.Gender, err = r.str()
				case "nationality":
					p.Nationality, err = r.str()
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

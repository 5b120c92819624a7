package sqlite

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// TestMobilityMirrorReadsLikeTheDomainTypes decodes every mobility event
// of a generated history both as the domain type and as the projection's
// mirror, and checks they agree field by field, so a change of the domain
// events cannot silently desynchronise the read models.
func TestMobilityMirrorReadsLikeTheDomainTypes(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 1500)
	seen := 0
	err := s.Events(context.Background(), 1, 0, func(env events.Envelope) error {
		var m mobilityEvent
		var dom aggregates.MobilityCorrected // a superset of MobilityReported's fields
		switch env.Type {
		case aggregates.MobilityReported{}.EventType():
			var r aggregates.MobilityReported
			if err := json.Unmarshal(env.Payload, &r); err != nil {
				return err
			}
			dom = aggregates.MobilityCorrected{ProjectID: r.ProjectID, OID: r.OID, Action: r.Action, CallYear: r.CallYear, Mobility: r.Mobility,
				Days: r.Days, DistanceKm: r.DistanceKm, Grant: r.Grant}
			m.ReportedOn = r.ReportedOn.String()
		case aggregates.MobilityCorrected{}.EventType():
			if err := json.Unmarshal(env.Payload, &dom); err != nil {
				return err
			}
		default:
			return nil
		}
		reported := m.ReportedOn
		if err := json.Unmarshal(env.Payload, &m); err != nil {
			return err
		}
		seen++
		dm := &dom.Mobility
		mm := &m.Mobility
		var lines []projections.GrantLine
		if err := json.Unmarshal([]byte(m.lines()), &lines); err != nil {
			return err
		}
		want := make([]projections.GrantLine, len(dom.Grant.Lines))
		for i, l := range dom.Grant.Lines {
			want[i] = projections.GrantLine{Category: l.Category, Rule: l.Rule, AmountCents: l.AmountCents, Explanation: l.Explanation}
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"project", m.ProjectID, dom.ProjectID}, {"oid", m.OID, dom.OID}, {"action", m.Action, dom.Action},
			{"call year", m.CallYear, dom.CallYear}, {"days", m.Days, dom.Days}, {"distance", m.DistanceKm, dom.DistanceKm},
			{"total", m.Grant.TotalCents, dom.Grant.TotalCents}, {"lines", lines, want},
			{"reported on", m.ReportedOn, reported}, {"corrected on", m.CorrectedOn, dom.CorrectedOn.String()},
			{"previous total", m.PreviousTotalCents, dom.PreviousTotalCents},
			{"mobility id", mm.MobilityID, dm.MobilityID}, {"participant", mm.ParticipantID, dm.ParticipantID},
			{"first name", mm.Personal.FirstName, dm.Personal.FirstName}, {"last name", mm.Personal.LastName, dm.Personal.LastName},
			{"birth date", mm.Personal.BirthDate, dm.Personal.BirthDate.String()}, {"email", mm.Personal.Email, dm.Personal.Email},
			{"gender", mm.Personal.Gender, dm.Personal.Gender}, {"nationality", mm.Personal.Nationality, dm.Personal.Nationality},
			{"activity", mm.Activity, dm.Activity}, {"start", mm.StartDate, dm.StartDate.String()}, {"end", mm.EndDate, dm.EndDate.String()},
			{"sending org", mm.SendingOrganisation, dm.SendingOrganisation}, {"receiving org", mm.ReceivingOrganisation, dm.ReceivingOrganisation},
			{"sending country", mm.SendingCountry, dm.SendingCountry}, {"receiving country", mm.ReceivingCountry, dm.ReceivingCountry},
			{"city", mm.ReceivingCity, dm.ReceivingCity}, {"green", mm.GreenTravel, dm.GreenTravel}, {"travel days", mm.TravelDays, dm.TravelDays},
			{"fewer", mm.FewerOpportunities, dm.FewerOpportunities}, {"accompanying", mm.Accompanying, dm.Accompanying},
			{"group", mm.GroupID, dm.GroupID}, {"persons", mm.Persons, dm.Persons}, {"ukraine", m.ukraine(), dm.Ukraine != nil},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("sequence %d: %s: mirror %v, domain %v", env.Sequence, c.name, c.got, c.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == 0 {
		t.Fatal("no mobility event in the history")
	}
}

// TestMobilityMirrorCoversEveryDomainField fails when the domain adds a
// JSON field to a mobility event that the mirror does not read: the
// projection must then decide whether it needs it.
func TestMobilityMirrorCoversEveryDomainField(t *testing.T) {
	ignored := map[string]bool{
		// Not kept by the read models: the distance inputs (the event's
		// distance_km is the one used), inclusion, course, linguistic and
		// travel cost claims (they are in the grant lines), the breakdown's call year
		// (the event's), and the correction's free-text reason (audit log).
		"mobility.distance_km": true, "mobility.origin": true, "mobility.destination": true, "mobility.inclusion_cents": true,
		"mobility.course_fee_days": true, "mobility.real_travel_cost_cents": true, "grant.call_year": true, "reason": true,
		"mobility.linguistic_support": true,
		// The sending organisation's OID is checked by the domain
		// (CONS-MEMBER); the read models keep its name (sending_org).
		"mobility.sending_oid": true,
	}
	mirror := jsonFields(reflect.TypeOf(mobilityEvent{}), "")
	for _, typ := range []reflect.Type{reflect.TypeOf(aggregates.MobilityReported{}), reflect.TypeOf(aggregates.MobilityCorrected{})} {
		for f := range jsonFields(typ, "") {
			if !mirror[f] && !ignored[f] {
				t.Errorf("%s has field %s that the projection's mirror does not read", typ.Name(), f)
			}
		}
	}
}

// jsonFields lists the JSON field paths of struct type t, descending into
// the mobility, its personal data and the grant.
func jsonFields(t reflect.Type, prefix string) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := stringsCut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[prefix+name] = true
		if ft := f.Type; ft.Kind() == reflect.Struct && (name == "mobility" || name == "personal" || name == "grant") {
			for k := range jsonFields(ft, prefix+name+".") {
				out[k] = true
			}
		}
	}
	return out
}

func stringsCut(s, sep string) (string, string, bool) { return strings.Cut(s, sep) }

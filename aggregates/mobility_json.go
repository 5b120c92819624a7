package aggregates

import (
	"encoding/base64"
	"strconv"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
)

// The JSON of a report, written by hand (events.JSONAppender): a relaxed
// report encoded its command (the idempotency fingerprint) and its event
// (the payload Build hashes and signs) with json.Marshal's reflection,
// ~5 us an event. The bytes are json.Marshal's (TestMobilityJSONIsJSONMarshal
// compares them on random values, and fails when a field is added to one
// of these types without being added here); a value with what is not
// written here (a place's coordinates, the Ukraine exception, a string
// that is not plain printable ASCII) answers ok false, and json.Marshal
// writes it.

// AppendJSON implements events.JSONAppender.
func (e MobilityReported) AppendJSON(orig []byte) ([]byte, bool) {
	b, ok := orig, true
	b = append(b, `{"project_id":`...)
	b = jstr(b, e.ProjectID, &ok)
	b = append(b, `,"oid":`...)
	b = jstr(b, e.OID, &ok)
	b = append(b, `,"action":`...)
	b = jstr(b, e.Action, &ok)
	b = append(b, `,"call_year":`...)
	b = strconv.AppendInt(b, int64(e.CallYear), 10)
	b = append(b, `,"mobility":{`...)
	b = e.Mobility.appendFields(b, &ok)
	b = append(b, `},"days":`...)
	b = strconv.AppendInt(b, int64(e.Days), 10)
	b = append(b, `,"distance_km":`...)
	b = strconv.AppendInt(b, int64(e.DistanceKm), 10)
	b = append(b, `,"grant":{"call_year":`...)
	b = strconv.AppendInt(b, int64(e.Grant.CallYear), 10)
	b = append(b, `,"lines":`...)
	if e.Grant.Lines == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, "["...)
		for i, l := range e.Grant.Lines {
			if i > 0 {
				b = append(b, ","...)
			}
			b = append(b, `{"category":`...)
			b = jstr(b, l.Category, &ok)
			b = append(b, `,"rule":`...)
			b = jstr(b, l.Rule, &ok)
			b = append(b, `,"explanation":`...)
			b = jstr(b, l.Explanation, &ok)
			b = append(b, `,"amount_cents":`...)
			b = strconv.AppendInt(b, l.AmountCents, 10)
			b = append(b, "}"...)
		}
		b = append(b, "]"...)
	}
	b = append(b, `,"total_cents":`...)
	b = strconv.AppendInt(b, e.Grant.TotalCents, 10)
	b = append(b, `},"reported_on":`...)
	b = jdate(b, e.ReportedOn)
	b = append(b, "}"...)
	if !ok {
		return orig, false
	}
	return b, true
}

// AppendJSON implements events.JSONAppender (the command's fingerprint).
func (c ReportMobility) AppendJSON(orig []byte) ([]byte, bool) {
	b, ok := orig, true
	b = append(b, `{"project_id":`...)
	b = jstr(b, c.ProjectID, &ok)
	b = append(b, ","...)
	b = c.Mobility.appendFields(b, &ok)
	b = append(b, "}"...)
	if !ok {
		return orig, false
	}
	return b, true
}

// appendFields writes m's members, without the braces (a report command
// embeds them beside its project ID).
func (m *Mobility) appendFields(b []byte, ok *bool) []byte {
	if m.Origin != nil || m.Destination != nil || m.Ukraine != nil {
		*ok = false
		return b
	}
	b = append(b, `"mobility_id":`...)
	b = jstr(b, m.MobilityID, ok)
	b = append(b, `,"participant_id":`...)
	b = jstr(b, m.ParticipantID, ok)
	if p := &m.Personal; *p != (Personal{}) {
		b = append(b, `,"personal":`...)
		b = p.appendJSON(b, ok)
	}
	if s := m.PersonalSealed; s != nil {
		b = append(b, `,"personal_sealed":`...)
		b = appendSealed(b, s, ok)
	}
	b = append(b, `,"activity":`...)
	b = jstr(b, m.Activity, ok)
	b = append(b, `,"start_date":`...)
	b = jdate(b, m.StartDate)
	b = append(b, `,"end_date":`...)
	b = jdate(b, m.EndDate)
	b = append(b, `,"sending_organisation":`...)
	b = jstr(b, m.SendingOrganisation, ok)
	b = append(b, `,"receiving_organisation":`...)
	b = jstr(b, m.ReceivingOrganisation, ok)
	b = joptStr(b, `,"sending_oid":`, m.SendingOID, ok)
	b = append(b, `,"sending_country":`...)
	b = jstr(b, m.SendingCountry, ok)
	b = append(b, `,"receiving_country":`...)
	b = jstr(b, m.ReceivingCountry, ok)
	b = append(b, `,"receiving_city":`...)
	b = jstr(b, m.ReceivingCity, ok)
	b = append(b, `,"distance_km":`...)
	b = strconv.AppendInt(b, int64(m.DistanceKm), 10)
	b = joptBool(b, `,"green_travel":true`, m.GreenTravel)
	b = joptInt(b, `,"travel_days":`, int64(m.TravelDays))
	b = joptBool(b, `,"fewer_opportunities":true`, m.FewerOpportunities)
	b = joptInt(b, `,"inclusion_cents":`, m.InclusionCents)
	b = joptBool(b, `,"accompanying":true`, m.Accompanying)
	b = joptStr(b, `,"group_id":`, m.GroupID, ok)
	b = joptInt(b, `,"persons":`, int64(m.Persons))
	b = joptInt(b, `,"course_fee_days":`, int64(m.CourseFeeDays))
	b = joptBool(b, `,"linguistic_support":true`, m.LinguisticSupport)
	return joptInt(b, `,"real_travel_cost_cents":`, m.RealTravelCostCents)
}

// appendJSON appends the personal block (every member omitted when
// empty).
func (p *Personal) appendJSON(b []byte, ok *bool) []byte {
	b = append(b, "{"...)
	first := true
	member := func(name string) {
		if !first {
			b = append(b, ","...)
		}
		first = false
		b = append(b, name...)
	}
	for _, f := range [...]struct{ name, v string }{{`"first_name":`, p.FirstName}, {`"last_name":`, p.LastName}} {
		if f.v != "" {
			member(f.name)
			b = jstr(b, f.v, ok)
		}
	}
	if !p.BirthDate.IsZero() {
		member(`"birth_date":`)
		b = jdate(b, p.BirthDate)
	}
	for _, f := range [...]struct{ name, v string }{{`"email":`, p.Email}, {`"gender":`, p.Gender}, {`"nationality":`, p.Nationality}} {
		if f.v != "" {
			member(f.name)
			b = jstr(b, f.v, ok)
		}
	}
	return append(b, "}"...)
}

// appendSealed appends a sealed personal block.
func appendSealed(b []byte, s *pii.Sealed, ok *bool) []byte {
	b = append(b, `{"alg":`...)
	b = jstr(b, s.Alg, ok)
	b = append(b, `,"subject":`...)
	b = jstr(b, s.Subject, ok)
	b = joptStr(b, `,"key_id":`, s.KeyID, ok)
	if s.KeySeq != 0 {
		b = append(b, `,"key_seq":`...)
		b = strconv.AppendUint(b, s.KeySeq, 10)
	}
	b = joptBytes(b, `,"nonce":`, s.Nonce)
	b = joptBytes(b, `,"ciphertext":`, s.Ciphertext)
	b = joptBytes(b, `,"plain":`, s.Plain)
	return append(b, "}"...)
}

// jstr appends s as events.AppendPlainJSON does; a string it does not
// write (a quote, a backslash, a control or non-ASCII byte) clears ok, for
// json.Marshal to write the value.
func jstr(b []byte, s string, ok *bool) []byte {
	b, plain := events.AppendPlainJSON(b, s)
	if !plain {
		*ok = false
	}
	return b
}

// jdate appends d as Date.MarshalJSON writes it.
func jdate(b []byte, d Date) []byte {
	if d.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = d.t.AppendFormat(b, DateLayout)
	return append(b, '"')
}

// joptStr, joptInt, joptBool and joptBytes append an omitempty member.
func joptStr(b []byte, name, s string, ok *bool) []byte {
	if s == "" {
		return b
	}
	return jstr(append(b, name...), s, ok)
}

func joptInt(b []byte, name string, n int64) []byte {
	if n == 0 {
		return b
	}
	return strconv.AppendInt(append(b, name...), n, 10)
}

func joptBool(b []byte, member string, v bool) []byte {
	if !v {
		return b
	}
	return append(b, member...)
}

func joptBytes(b []byte, name string, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = append(append(b, name...), '"')
	b = base64.StdEncoding.AppendEncode(b, v)
	return append(b, '"')
}

package aggregates

import (
	"encoding/base64"
	"unicode/utf8"

	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/jsonspan"
)

// A report's event read back by hand (events.JSONDecoder). Every command
// on a project whose decided state is not in memory (after a restart, an
// eviction, another instance's writes) folds the project's events again,
// and json.Unmarshal's reflection was more than half of such a load. The
// bytes read here are those json.Marshal writes for the type (and
// AppendJSON, which writes the same): its members in the struct's order,
// omitted members absent, integers, strings with their escapes. Anything
// else (a member in another order or unknown, whitespace, a place, the
// Ukraine exception) answers false and is left to json.Unmarshal, so the
// value decoded is always json.Unmarshal's (TestMobilityDecodeIsJSONUnmarshal
// compares them on random and on mutated payloads).

// DecodeJSON implements events.JSONDecoder; e must be the zero value.
func (e *MobilityReported) DecodeJSON(b []byte) bool {
	r := canon{b: b, ok: true}
	r.lit(`{"project_id":`)
	e.ProjectID = r.str()
	r.lit(`,"oid":`)
	e.OID = r.str()
	r.lit(`,"action":`)
	e.Action = r.str()
	r.lit(`,"call_year":`)
	e.CallYear = r.intN()
	r.lit(`,"mobility":{`)
	e.Mobility.decodeFields(&r)
	r.lit(`},"days":`)
	e.Days = r.intN()
	r.lit(`,"distance_km":`)
	e.DistanceKm = r.intN()
	r.lit(`,"grant":{"call_year":`)
	e.Grant.CallYear = r.intN()
	r.lit(`,"lines":`)
	if !r.opt("null") {
		r.lit("[")
		e.Grant.Lines = []GrantLine{}
		for r.ok && !r.opt("]") {
			if len(e.Grant.Lines) > 0 {
				r.lit(",")
			}
			var l GrantLine
			r.lit(`{"category":`)
			l.Category = r.str()
			r.lit(`,"rule":`)
			l.Rule = r.str()
			r.lit(`,"explanation":`)
			l.Explanation = r.str()
			r.lit(`,"amount_cents":`)
			l.AmountCents = r.int()
			r.lit("}")
			e.Grant.Lines = append(e.Grant.Lines, l)
		}
	}
	r.lit(`,"total_cents":`)
	e.Grant.TotalCents = r.int()
	r.lit(`},"reported_on":`)
	e.ReportedOn = r.date()
	r.lit("}")
	return r.ok && r.i == len(b)
}

// decodeFields reads m's members as appendFields writes them (without the
// braces).
func (m *Mobility) decodeFields(r *canon) {
	r.lit(`"mobility_id":`)
	m.MobilityID = r.str()
	r.lit(`,"participant_id":`)
	m.ParticipantID = r.str()
	if r.opt(`,"personal":{`) {
		m.Personal.decode(r)
	}
	if r.opt(`,"personal_sealed":`) {
		m.PersonalSealed = decodeSealed(r)
	}
	r.lit(`,"activity":`)
	m.Activity = r.str()
	r.lit(`,"start_date":`)
	m.StartDate = r.date()
	r.lit(`,"end_date":`)
	m.EndDate = r.date()
	r.lit(`,"sending_organisation":`)
	m.SendingOrganisation = r.str()
	r.lit(`,"receiving_organisation":`)
	m.ReceivingOrganisation = r.str()
	if r.opt(`,"sending_oid":`) {
		m.SendingOID = r.str()
	}
	r.lit(`,"sending_country":`)
	m.SendingCountry = r.str()
	r.lit(`,"receiving_country":`)
	m.ReceivingCountry = r.str()
	r.lit(`,"receiving_city":`)
	m.ReceivingCity = r.str()
	r.lit(`,"distance_km":`)
	m.DistanceKm = r.intN()
	m.GreenTravel = r.opt(`,"green_travel":true`)
	if r.opt(`,"travel_days":`) {
		m.TravelDays = r.intN()
	}
	m.FewerOpportunities = r.opt(`,"fewer_opportunities":true`)
	if r.opt(`,"inclusion_cents":`) {
		m.InclusionCents = r.int()
	}
	m.Accompanying = r.opt(`,"accompanying":true`)
	if r.opt(`,"group_id":`) {
		m.GroupID = r.str()
	}
	if r.opt(`,"persons":`) {
		m.Persons = r.intN()
	}
	if r.opt(`,"course_fee_days":`) {
		m.CourseFeeDays = r.intN()
	}
	m.LinguisticSupport = r.opt(`,"linguistic_support":true`)
	if r.opt(`,"real_travel_cost_cents":`) {
		m.RealTravelCostCents = r.int()
	}
}

// decode reads a personal block as appendJSON writes it, after its brace.
func (p *Personal) decode(r *canon) {
	first := true
	if r.member(&first, `"first_name":`) {
		p.FirstName = r.str()
	}
	if r.member(&first, `"last_name":`) {
		p.LastName = r.str()
	}
	if r.member(&first, `"birth_date":`) {
		p.BirthDate = r.date()
	}
	if r.member(&first, `"email":`) {
		p.Email = r.str()
	}
	if r.member(&first, `"gender":`) {
		p.Gender = r.str()
	}
	if r.member(&first, `"nationality":`) {
		p.Nationality = r.str()
	}
	r.lit("}")
}

// decodeSealed reads a sealed personal block as appendSealed writes it.
func decodeSealed(r *canon) *pii.Sealed {
	s := &pii.Sealed{}
	r.lit(`{"alg":`)
	s.Alg = r.str()
	r.lit(`,"subject":`)
	s.Subject = r.str()
	if r.opt(`,"key_id":`) {
		s.KeyID = r.str()
	}
	if r.opt(`,"key_seq":`) {
		s.KeySeq = r.uint()
	}
	if r.opt(`,"nonce":`) {
		s.Nonce = r.base64()
	}
	if r.opt(`,"ciphertext":`) {
		s.Ciphertext = r.base64()
	}
	if r.opt(`,"plain":`) {
		s.Plain = r.base64()
	}
	r.lit("}")
	return s
}

// canon reads JSON in one fixed form; the first mismatch clears ok, and
// every later read returns a zero value.
type canon struct {
	b  []byte
	i  int
	ok bool
}

// lit reads the bytes s.
func (r *canon) lit(s string) {
	if !r.opt(s) {
		r.ok = false
	}
}

// opt reads the bytes s if they come next.
func (r *canon) opt(s string) bool {
	if !r.ok || len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// member reads the name of an optional member of an object, after a
// comma unless it is the first member read (*first).
func (r *canon) member(first *bool, name string) bool {
	if *first {
		if r.opt(name) {
			*first = false
			return true
		}
		return false
	}
	at := r.i
	if r.opt(",") && r.opt(name) {
		return true
	}
	r.i = at
	return false
}

// span reads a string and returns its value: its bytes when it has no
// escape (what json.Unmarshal returns unchanged when they are valid
// UTF-8), else unescaped into a new slice (unescape).
func (r *canon) span() []byte {
	if !r.opt(`"`) {
		r.ok = false
		return nil
	}
	n := jsonspan.Plain(r.b[r.i:])
	s := r.b[r.i : r.i+n]
	r.i += n
	if r.i < len(r.b) && r.b[r.i] == '\\' {
		return r.unescape(s)
	}
	if !r.opt(`"`) || !utf8.Valid(s) {
		r.ok = false
		return nil
	}
	return s
}

// unescape reads the rest of a string whose plain start is done, at its
// first backslash: each escape becomes what json.Unmarshal makes of it
// (jsonspan.AppendEscape); a malformed one is refused.
func (r *canon) unescape(done []byte) []byte {
	out := append([]byte(nil), done...)
	for r.ok {
		n := jsonspan.Plain(r.b[r.i:])
		out = append(out, r.b[r.i:r.i+n]...)
		r.i += n
		if r.opt(`"`) {
			if !utf8.Valid(out) {
				r.ok = false
			}
			return out
		}
		var used int
		var ok bool
		if out, used, ok = jsonspan.AppendEscape(out, r.b[r.i:]); !ok {
			r.ok = false
			return nil
		}
		r.i += used
	}
	return nil
}

// str reads a string (copied: a decoded event outlives its message).
func (r *canon) str() string {
	return string(r.span())
}

// digits reads an integer's digits, at most 18 (no overflow), without a
// leading zero (JSON's form), after an optional minus sign.
func (r *canon) digits(signed bool) (uint64, bool) {
	if !r.ok {
		return 0, false
	}
	neg := signed && r.opt("-")
	start, n := r.i, uint64(0)
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' && r.i-start < 18 {
		n = n*10 + uint64(r.b[r.i]-'0')
		r.i++
	}
	l := r.i - start
	more := r.i < len(r.b) && (r.b[r.i] >= '0' && r.b[r.i] <= '9' || r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E')
	if l == 0 || more || (l > 1 && r.b[start] == '0') {
		r.ok = false
		return 0, false
	}
	return n, neg
}

// int reads a signed integer.
func (r *canon) int() int64 {
	n, neg := r.digits(true)
	if neg {
		return -int64(n)
	}
	return int64(n)
}

// intN reads a signed integer into an int (refused if it does not fit,
// as json.Unmarshal refuses it).
func (r *canon) intN() int {
	n := r.int()
	if int64(int(n)) != n {
		r.ok = false
	}
	return int(n)
}

// uint reads an unsigned integer.
func (r *canon) uint() uint64 {
	n, _ := r.digits(false)
	return n
}

// date reads a Date as jdate writes it: null, or a quoted YYYY-MM-DD
// (an empty string is the zero date, as Date.UnmarshalJSON reads it).
func (r *canon) date() Date {
	if r.opt("null") {
		return Date{}
	}
	s := r.span()
	if !r.ok || len(s) == 0 {
		return Date{}
	}
	d, err := ParseDate(string(s))
	if err != nil {
		r.ok = false
	}
	return d
}

// base64 reads a []byte as json.Marshal writes it (standard base64 with
// padding), decoded as json.Unmarshal does.
func (r *canon) base64() []byte {
	s := r.span()
	if !r.ok {
		return nil
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, s)
	if err != nil {
		r.ok = false
		return nil
	}
	return out[:n]
}

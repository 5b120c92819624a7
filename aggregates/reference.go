package aggregates

import (
	"fmt"
	"maps"
	"sort"

	"github.com/erasmus-ledger/grants/aggregates/rates"
)

// OfficeOrg is the <org> token under which the national office keeps its
// reference data: grants.national-office.calls.<call year> (the call rounds
// of a call year) and grants.national-office.rates.<call year> (the rates
// table of a call year). No organisation can take it: an OID is E and 8
// digits.
const OfficeOrg = "national-office"

// Kinds of the national office's reference aggregates.
const (
	// KindCalls is the call rounds of one call year.
	KindCalls = "calls"
	// KindRates is the rates table of one call year.
	KindRates = "rates"
)

// CallRound is one round of a call for one action, as the national office
// publishes it: its deadline (12:00 Brussels time) and, when given, the
// window in which the projects of the round start (CALL-START).
type CallRound struct {
	CallYear int    `json:"call_year"`
	Round    int    `json:"round"`
	Action   string `json:"action"`
	// Fields limits the round to projects of these fields; empty, the
	// round is open in every field.
	Fields   []string `json:"fields,omitempty"`
	Deadline Date     `json:"deadline"`
	// StartFrom and StartTo bound the start date of the round's projects
	// (inclusive); zero, that side is not bounded.
	StartFrom Date `json:"start_from,omitzero"`
	StartTo   Date `json:"start_to,omitzero"`

	// corrected is set on a round a correction replaced (not in events).
	corrected bool
}

// key identifies a round: call year, round and action.
func (r CallRound) key() string { return roundKey(r.CallYear, r.Round, r.Action) }

func roundKey(year, round int, action string) string {
	return fmt.Sprintf("%d/%d/%s", year, round, action)
}

// deadline is the round as a row of the deadline table.
func (r CallRound) deadline() Deadline {
	origin := OriginPublished
	if r.corrected {
		origin = OriginCorrected
	}
	return Deadline{CallYear: r.CallYear, Round: r.Round, Actions: []string{r.Action}, Fields: r.Fields,
		Day: r.Deadline, StartFrom: r.StartFrom, StartTo: r.StartTo, Origin: origin}
}

// PublishedRates is a rates table the national office published.
type PublishedRates struct {
	Table *rates.Table
	// Corrected counts the corrections since it was first published.
	Corrected   int
	PublishedOn Date
}

// Reference is the reference data the national office published as events:
// call rounds and rates tables. It lives in the Portfolio of OfficeOrg and
// is empty elsewhere. Its maps are copied on write (Evolve stays pure).
type Reference struct {
	// Rounds are the published (or corrected) rounds, keyed by call year,
	// round and action; they replace the built-in round with that key.
	Rounds map[string]CallRound
	// Rates are the published tables by call year; they replace the
	// built-in table of that year.
	Rates map[int]PublishedRates
}

// Empty reports whether nothing was published.
func (r Reference) Empty() bool { return len(r.Rounds) == 0 && len(r.Rates) == 0 }

func (r Reference) withRound(c CallRound) Reference {
	m := maps.Clone(r.Rounds)
	if m == nil {
		m = map[string]CallRound{}
	}
	m[c.key()] = c
	r.Rounds = m
	return r
}

func (r Reference) withRates(t *rates.Table, on Date, corrected bool) Reference {
	m := maps.Clone(r.Rates)
	if m == nil {
		m = map[int]PublishedRates{}
	}
	p := m[t.CallYear]
	p.Table = t
	if corrected {
		p.Corrected++
	} else {
		p.PublishedOn = on
	}
	m[t.CallYear] = p
	r.Rates = m
	return r
}

// WithReference returns a Domain deciding with ref over d's tables: the
// published rounds replace (or add to) d's deadline table per call year,
// round and action; the published rates tables replace d's per call year.
// d is not modified. With an empty ref it returns d.
func (d *Domain) WithReference(ref Reference) *Domain {
	if ref.Empty() {
		return d
	}
	n := *d
	n.Policy.Deadlines = mergeRounds(d.deadlines(), ref.Rounds)
	if len(ref.Rates) > 0 {
		ts := make([]*rates.Table, 0, len(ref.Rates))
		for _, p := range ref.Rates {
			ts = append(ts, p.Table)
		}
		pub := rates.NewBook(ts...)
		if d.Rates != nil {
			n.Rates = d.Rates.Override(pub)
		} else {
			n.Rates = pub
		}
	}
	return &n
}

// mergeRounds splits base into one row per action and replaces the rows
// whose call year, round and action were published.
func mergeRounds(base []Deadline, rounds map[string]CallRound) []Deadline {
	out := make([]Deadline, 0, len(base)+len(rounds))
	for _, dl := range base {
		for _, a := range dl.Actions {
			if _, published := rounds[roundKey(dl.CallYear, dl.Round, a)]; published {
				continue
			}
			row := dl
			row.Actions = []string{a}
			if row.Origin == "" {
				row.Origin = OriginBuiltIn
			}
			out = append(out, row)
		}
	}
	keys := make([]string, 0, len(rounds))
	for k := range rounds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, rounds[k].deadline())
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.CallYear != b.CallYear {
			return a.CallYear < b.CallYear
		}
		if a.Round != b.Round {
			return a.Round < b.Round
		}
		return a.Actions[0] < b.Actions[0]
	})
	return out
}

// Deadlines returns the deadline table the domain decides with, one row
// per call year, round and action (GET /v1/calls).
func (d *Domain) Deadlines() []Deadline {
	return mergeRounds(d.deadlines(), nil)
}

// findRound returns the round of action in callYear and round.
func findRound(table []Deadline, callYear, round int, action string) (Deadline, bool) {
	for _, dl := range table {
		if dl.CallYear == callYear && dl.Round == round && contains(dl.Actions, action) {
			return dl, true
		}
	}
	return Deadline{}, false
}

// evolve returns the reference after a reference event. A table that does
// not parse (it was parsed when decided) leaves the reference unchanged.
func (r Reference) evolve(e Event) Reference {
	switch e := e.(type) {
	case CallRoundPublished:
		return r.withRound(e.CallRound)
	case CallRoundCorrected:
		c := e.CallRound
		c.corrected = true
		return r.withRound(c)
	case RatesTablePublished:
		if t, err := rates.ParseTable(e.Table); err == nil {
			return r.withRates(t, e.PublishedOn, false)
		}
	case RatesTableCorrected:
		if t, err := rates.ParseTable(e.Table); err == nil {
			return r.withRates(t, e.CorrectedOn, true)
		}
	}
	return r
}

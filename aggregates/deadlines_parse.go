package aggregates

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// ParseDeadlines reads a deadline table from JSON, an array of
// {"call_year":2027,"round":1,"actions":["KA121","KA122"],"day":"2027-02-18"},
// with an optional "fields":["vet","adult"] for a round open in some
// fields only, so the national office can correct or extend the table
// without a release (set it as Policy.Deadlines). Unknown members, unknown
// actions or fields and a round given twice for one action and field are
// refused.
func ParseDeadlines(data []byte) ([]Deadline, error) {
	var table []Deadline
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&table); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "the deadline table is not valid JSON: %v", err)
	}
	seen := map[string]bool{}
	for i, d := range table {
		f := fmt.Sprintf("[%d]", i)
		switch {
		case d.CallYear < legacyFirstYear || d.CallYear > 2100:
			return nil, apperr.InvalidField(f+".call_year", "call year %d is not plausible", d.CallYear)
		case d.Round < 1:
			return nil, apperr.InvalidField(f+".round", "round %d: rounds count from 1", d.Round)
		case d.Day.IsZero():
			return nil, apperr.InvalidField(f+".day", "the deadline day is required")
		case len(d.Actions) == 0:
			return nil, apperr.InvalidField(f+".actions", "name the actions the deadline is for")
		}
		fields := d.Fields
		for j, fl := range fields {
			if !contains(ProjectFields(), fl) {
				return nil, apperr.InvalidField(fmt.Sprintf("%s.fields[%d]", f, j), "unknown field %q", fl)
			}
		}
		if len(fields) == 0 {
			fields = ProjectFields()
		}
		for j, a := range d.Actions {
			if !contains(Actions(), a) {
				return nil, apperr.InvalidField(fmt.Sprintf("%s.actions[%d]", f, j), "unknown action %q", a)
			}
			for _, fl := range fields {
				key := fmt.Sprintf("%d/%d/%s/%s", d.CallYear, d.Round, a, fl)
				if seen[key] {
					return nil, apperr.InvalidField(fmt.Sprintf("%s.actions[%d]", f, j), "%s has two deadlines in call %d round %d (field %s)", a, d.CallYear, d.Round, fl)
				}
				seen[key] = true
			}
		}
	}
	return table, nil
}

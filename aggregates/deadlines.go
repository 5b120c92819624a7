package aggregates

import (
	"sort"
	"time"
	// The Brussels zone must resolve on every machine, with or without a
	// system zoneinfo database.
	_ "time/tzdata"
)

// Deadline is the closing date of one call round for some actions. The
// deadline is 12:00 Brussels time (CET or CEST, whichever is in force).
type Deadline struct {
	CallYear int      `json:"call_year"`
	Round    int      `json:"round"`
	Actions  []string `json:"actions"`
	// Fields, when set, limits the round to projects of these fields (in
	// 2026 Finland held no second KA122 round in school education);
	// empty, the round is open in every field.
	Fields []string `json:"fields,omitempty"`
	Day    Date     `json:"day"`
	// StartFrom and StartTo, when set, bound the start date of the
	// round's projects (CALL-START).
	StartFrom Date `json:"start_from,omitzero"`
	StartTo   Date `json:"start_to,omitzero"`
	// Origin says where the row comes from: OriginBuiltIn (the built-in
	// or --deadlines-file table), OriginPublished or OriginCorrected (the
	// national office's events). Not read from a deadlines file.
	Origin string `json:"-"`
}

// Origins of a deadline row (Deadline.Origin).
const (
	OriginBuiltIn   = "built-in"
	OriginPublished = "published"
	OriginCorrected = "corrected"
)

// covers reports whether the deadline is the one of action in field.
func (d Deadline) covers(action, field string) bool {
	return contains(d.Actions, action) && (len(d.Fields) == 0 || contains(d.Fields, field))
}

// At returns the deadline instant: 12:00 Europe/Brussels on Day.
func (d Deadline) At() time.Time {
	t := d.Day.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, brussels)
}

var brussels = mustLocation("Europe/Brussels")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("aggregates: time zone " + name + ": " + err.Error())
	}
	return loc
}

// DefaultDeadlines returns the call deadline table of docs/rules.md section
// 8 (CALL-DEADLINE). The 2021 dates are from the seed (000); the others
// from the Programme Guides, the call forms and EDUFI's call pages, held
// here as data so the national office can override them through
// Policy.Deadlines. Two second rounds are marked unconfirmed in section 8
// (KA210 2021 and KA122 2022): the dates are the Programme Guide's, to be
// confirmed by the national office.
func DefaultDeadlines() []Deadline {
	d := func(y, r int, day string, actions ...string) Deadline {
		return Deadline{CallYear: y, Round: r, Actions: actions, Day: MustDate(day)}
	}
	in := func(dl Deadline, fields ...string) Deadline {
		dl.Fields = fields
		return dl
	}
	return []Deadline{
		// 2014-2020 strategic partnerships (KA202), one round a year.
		d(2014, 1, "2014-04-30", ActionKA202),
		d(2015, 1, "2015-03-31", ActionKA202),
		d(2016, 1, "2016-03-31", ActionKA202),
		d(2017, 1, "2017-03-29", ActionKA202),
		d(2018, 1, "2018-03-21", ActionKA202),
		d(2019, 1, "2019-03-21", ActionKA202),
		d(2020, 1, "2020-04-23", ActionKA202),
		// 2021: seed 000.
		d(2021, 1, "2021-05-11", ActionKA121, ActionKA122),
		d(2021, 1, "2021-05-20", ActionKA210, ActionKA220),
		d(2021, 2, "2021-10-05", ActionKA122),
		d(2021, 2, "2021-11-03", ActionKA210), // unconfirmed (section 8): Programme Guide 2021
		d(2022, 1, "2022-02-23", ActionKA121, ActionKA122),
		d(2022, 1, "2022-03-23", ActionKA210, ActionKA220),
		d(2022, 2, "2022-10-04", ActionKA122, ActionKA210), // KA122 unconfirmed (section 8)
		// 2023: the KA122 call form says 23 February; the KA2 round was
		// extended from 22 to 24 March.
		d(2023, 1, "2023-02-23", ActionKA121, ActionKA122),
		d(2023, 1, "2023-03-24", ActionKA210, ActionKA220),
		d(2023, 2, "2023-10-04", ActionKA122, ActionKA210),
		d(2024, 1, "2024-02-20", ActionKA121, ActionKA122),
		d(2024, 1, "2024-03-05", ActionKA210, ActionKA220),
		d(2024, 2, "2024-10-01", ActionKA122, ActionKA210),
		d(2025, 1, "2025-02-19", ActionKA121, ActionKA122),
		d(2025, 1, "2025-03-05", ActionKA210, ActionKA220),
		d(2025, 2, "2025-10-01", ActionKA122, ActionKA210),
		// 2026: EDUFI's call pages; Finland opened no second round for
		// KA122 in school education nor for KA210 in adult education.
		d(2026, 1, "2026-02-19", ActionKA121, ActionKA122),
		d(2026, 1, "2026-03-05", ActionKA210, ActionKA220),
		in(d(2026, 2, "2026-10-01", ActionKA122), FieldVET, FieldAdult),
		in(d(2026, 2, "2026-10-01", ActionKA210), FieldVET, FieldSchool, FieldYouth),
	}
}

// findDeadline returns the deadline of action in field, callYear and round.
func findDeadline(table []Deadline, action, field string, callYear, round int) (Deadline, bool) {
	for _, d := range table {
		if d.CallYear == callYear && d.Round == round && d.covers(action, field) {
			return d, true
		}
	}
	return Deadline{}, false
}

// roundsOf lists the rounds of action in field and callYear, for messages.
func roundsOf(table []Deadline, action, field string, callYear int) []int {
	var out []int
	for _, d := range table {
		if d.CallYear == callYear && d.covers(action, field) {
			out = append(out, d.Round)
		}
	}
	sort.Ints(out)
	return out
}

func (d *Domain) deadlines() []Deadline {
	if d.Policy.Deadlines != nil {
		return d.Policy.Deadlines
	}
	return DefaultDeadlines()
}

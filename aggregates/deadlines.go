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
	Day      Date     `json:"day"`
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

// DefaultDeadlines returns the call deadline table. The 2021 dates are from
// the seed (000); the others are the Programme Guide's dates, held here as
// data so the national office can override them through Policy.Deadlines.
func DefaultDeadlines() []Deadline {
	d := func(y, r int, day string, actions ...string) Deadline {
		return Deadline{CallYear: y, Round: r, Actions: actions, Day: MustDate(day)}
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
		d(2021, 2, "2021-11-03", ActionKA210),
		d(2022, 1, "2022-02-23", ActionKA121, ActionKA122),
		d(2022, 1, "2022-03-23", ActionKA210, ActionKA220),
		d(2022, 2, "2022-10-04", ActionKA122, ActionKA210),
		d(2023, 1, "2023-02-22", ActionKA121, ActionKA122),
		d(2023, 1, "2023-03-22", ActionKA210, ActionKA220),
		d(2023, 2, "2023-10-04", ActionKA122, ActionKA210),
		d(2024, 1, "2024-02-20", ActionKA121, ActionKA122),
		d(2024, 1, "2024-03-05", ActionKA210, ActionKA220),
		d(2024, 2, "2024-10-01", ActionKA122, ActionKA210),
		d(2025, 1, "2025-02-19", ActionKA121, ActionKA122),
		d(2025, 1, "2025-03-05", ActionKA210, ActionKA220),
		d(2025, 2, "2025-10-01", ActionKA122, ActionKA210),
		d(2026, 1, "2026-02-24", ActionKA121, ActionKA122),
		d(2026, 1, "2026-03-05", ActionKA210, ActionKA220),
		d(2026, 2, "2026-10-01", ActionKA122, ActionKA210),
	}
}

// findDeadline returns the deadline of action in callYear and round.
func findDeadline(table []Deadline, action string, callYear, round int) (Deadline, bool) {
	for _, d := range table {
		if d.CallYear == callYear && d.Round == round && contains(d.Actions, action) {
			return d, true
		}
	}
	return Deadline{}, false
}

// roundsOf lists the rounds of action in callYear, for messages.
func roundsOf(table []Deadline, action string, callYear int) []int {
	var out []int
	for _, d := range table {
		if d.CallYear == callYear && contains(d.Actions, action) {
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

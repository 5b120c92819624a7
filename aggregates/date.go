package aggregates

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DateLayout is the JSON and text form of a Date.
const DateLayout = "2006-01-02"

// Date is a calendar date (no time of day, no zone). It is held as UTC
// midnight and written to JSON as "2024-05-31". The zero Date is "no date"
// and is written as null.
type Date struct {
	t time.Time
}

// NewDate returns the date y-m-d.
func NewDate(y int, m time.Month, d int) Date {
	return Date{t: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// DateOf returns the calendar date of instant t as seen in UTC.
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	u := t.UTC()
	return NewDate(u.Year(), u.Month(), u.Day())
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		var pe *time.ParseError
		if len(s) == len(DateLayout) && errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
			return Date{}, fmt.Errorf("%s is not a calendar date", s)
		}
		return Date{}, fmt.Errorf("date %q is not of the form YYYY-MM-DD", s)
	}
	return Date{t: t}, nil
}

// MustDate parses s and panics on error; for tests and literal tables.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Time returns the date as UTC midnight.
func (d Date) Time() time.Time { return d.t }

// IsZero reports whether d is the zero (absent) date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Year returns the date's year.
func (d Date) Year() int { return d.t.Year() }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Equal reports whether d and e are the same date.
func (d Date) Equal(e Date) bool { return d.t.Equal(e.t) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Date{t: d.t.AddDate(0, 0, n)} }

// AddMonths returns the same day number n calendar months from d; where
// that month has no such day, its last day (31 August + 6 months is the
// last day of February). It never spills over into the following month,
// unlike time.AddDate (DUR-MONTHS).
func (d Date) AddMonths(n int) Date {
	if d.IsZero() {
		return d
	}
	first := time.Date(d.t.Year(), d.t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	return NewDate(first.Year(), first.Month(), min(d.t.Day(), daysIn(first.Year(), first.Month())))
}

// MonthsEnd returns the last day of a duration of n months from start
// (DUR-MONTHS): the day before the same day number n months later or,
// where that month has no such day, its last day. A 6-month project from
// 31 August ends on the last day of February; from 1 September, on 28 or
// 29 February too; from 15 March, on 14 September. Every duration in
// months of the ledger (KA121-DURATION, KA122-DURATION, KA210-DURATION,
// KA220-DURATION, KA202-SP, amendments) is computed with it.
func MonthsEnd(start Date, n int) Date {
	same := start.AddMonths(n)
	if same.t.Day() < start.t.Day() {
		return same // the month has no such day: its last day
	}
	return same.AddDays(-1)
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// String renders the date as "2006-01-02" (empty for the zero date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(DateLayout)
}

// MarshalJSON writes "2006-01-02", or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	// The digits and dashes of a date need no escaping: json.Marshal's
	// bytes without its reflection (a date is in every command's
	// fingerprint and answer).
	b := make([]byte, 0, len(DateLayout)+2)
	b = append(b, '"')
	b = d.t.AppendFormat(b, DateLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON reads "2006-01-02" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	s, ok := plainJSONString(b)
	if !ok {
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("a date must be a string of the form YYYY-MM-DD")
		}
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// plainJSONString returns the value of the JSON string b when it holds
// printable ASCII only, without escapes (a date as sent): the value
// json.Unmarshal gives, without its validity scan and reflection.
func plainJSONString(b []byte) (string, bool) {
	n := len(b)
	if n < 2 || b[0] != '"' || b[n-1] != '"' {
		return "", false
	}
	for _, c := range b[1 : n-1] {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(b[1 : n-1]), true
}

// DaysInclusive returns the number of calendar days from start to end,
// both included (1 when start == end).
func DaysInclusive(start, end Date) int {
	return int(end.t.Sub(start.t).Hours()/24) + 1
}

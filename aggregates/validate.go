package aggregates

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// oidPattern is the form of an Erasmus+ organisation ID: E and 8 digits.
var oidPattern = regexp.MustCompile(`^E[0-9]{8}$`)

// ValidOID reports whether s is an organisation ID (E and 8 digits).
func ValidOID(s string) bool { return oidPattern.MatchString(s) }

// check collects the first field error of a command.
type check struct{ err *apperr.Error }

func (c *check) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = apperr.InvalidField(field, format, args...)
	}
}

func (c *check) oid(field, v string) {
	if !ValidOID(v) {
		c.fail(field, "organisation ID %q must be E followed by 8 digits, e.g. E10012345", v)
	}
}

func (c *check) id(field, v string) {
	if !events.ValidToken(v) {
		c.fail(field, "ID %q must be 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'", v, events.MaxTokenLen)
	}
}

func (c *check) optionalID(field, v string) {
	if v != "" {
		c.id(field, v)
	}
}

// failErr records err (an *apperr.Error naming its field) if it is the first.
func (c *check) failErr(err error) {
	if c.err == nil && err != nil {
		c.err = apperr.As(err)
	}
}

// text checks a free-text field: required when asked, and clean
// (INPUT-TEXT, INPUT-TEXT-LENGTH); line breaks only in multi-line fields.
func (c *check) text(field, v string, required bool) {
	if required && strings.TrimSpace(v) == "" {
		c.fail(field, "is required")
		return
	}
	c.failErr(CheckText(field, v, MultiLine(field)))
}

// cents checks an amount against its bound (INPUT-AMOUNT-RANGE); positive
// also refuses 0.
func (c *check) cents(field string, v, limit int64, positive bool) {
	if positive {
		c.positive(field, v)
	}
	c.failErr(CheckAmount(field, v, limit))
}

// optionalDate checks a date that may be absent (INPUT-DATE-RANGE).
func (c *check) optionalDate(field string, d Date) {
	c.failErr(CheckDate(field, d))
}

func (c *check) oneOf(field, v string, allowed []string) {
	if !contains(allowed, v) {
		c.fail(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

func (c *check) country(field, v string) {
	if !catalog.KnownCountry(catalog.NormaliseCountry(v)) {
		c.fail(field, "%q is not an ISO 3166-1 alpha-2 country code", v)
	}
}

func (c *check) date(field string, d Date) {
	if d.IsZero() {
		c.fail(field, "is required (YYYY-MM-DD)")
	}
	c.optionalDate(field, d)
}

func (c *check) period(startField, endField string, start, end Date) {
	c.date(startField, start)
	c.date(endField, end)
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		c.fail(endField, "%s is before the start date %s", end, start)
	}
}

func (c *check) positive(field string, v int64) {
	if v <= 0 {
		c.fail(field, "must be positive, got %d", v)
	}
}

func (c *check) result() error {
	if c.err == nil {
		return nil
	}
	return c.err
}

func idx(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

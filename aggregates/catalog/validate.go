package catalog

import (
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// ValidateDuration checks that a mobility of activity code lasting days
// (travel days excluded) is within the activity's range. It returns an
// *apperr.Error: Invalid on field "activity" for an unknown code, or a
// RuleViolation citing the activity's rule (ACT-*) when days is out of range.
// Activities without a duration (preparatory visits) accept any days >= 1.
func ValidateDuration(code string, days int) error {
	e, ok := lookup(code)
	if !ok {
		return unknownActivity(code)
	}
	if !e.Bounded() {
		if days < 1 {
			return apperr.Rule(e.Rule, "%s lasts at least 1 day; this one lasts %d", e.label, days)
		}
		return nil
	}
	if days < e.MinDays || days > e.MaxDays {
		return apperr.Rule(e.Rule, "%s lasts %d to %s; this mobility lasts %d (travel days excluded)",
			e.label, e.MinDays, plural(e.MaxDays, "day"), days)
	}
	return nil
}

func unknownActivity(code string) *apperr.Error {
	return apperr.InvalidField("activity", "unknown activity code %q; known codes: %s",
		code, strings.Join(Codes(), ", "))
}

func normaliseCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

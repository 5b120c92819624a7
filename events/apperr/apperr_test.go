package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
)

func TestMessagesNameTheRuleAndField(t *testing.T) {
	cases := []struct {
		err  *apperr.Error
		want string
	}{
		{apperr.Rule("ACT-ERASMUSPRO", "ErasmusPro lasts 90 to 365 days; this mobility lasts %d", 89), "rule ACT-ERASMUSPRO: ErasmusPro lasts 90 to 365 days; this mobility lasts 89"},
		{apperr.RuleField("KA122-MAX-MOB", "mobility_id", "at most 30"), "rule KA122-MAX-MOB: at most 30 (field mobility_id)"},
		{apperr.InvalidField("end_date", "before the start"), "end_date: before the start"},
		{apperr.InvalidField("end_date", "x").WithField("rows[3]"), "rows[3].end_date: x"},
		{apperr.New(apperr.NotFound, "project %s not found", "P1"), "project P1 not found"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

func TestForeignErrorsBecomeInternalWithoutLeaking(t *testing.T) {
	cause := errors.New("disk /var/lib/x is full")
	e := apperr.As(fmt.Errorf("wrapped: %w", cause))
	if e.Code != apperr.Internal || e.Message != "internal error" || !errors.Is(e, cause) {
		t.Fatalf("As(foreign) = %+v", e)
	}
	wrapped := fmt.Errorf("context: %w", apperr.Rule("BUD-GRANT-CAP", "over"))
	if apperr.CodeOf(wrapped) != apperr.RuleViolation || apperr.As(wrapped).Rule != "BUD-GRANT-CAP" {
		t.Fatalf("a wrapped *Error lost its code or rule: %+v", apperr.As(wrapped))
	}
	if apperr.As(nil) != nil {
		t.Fatal("As(nil) != nil")
	}
}

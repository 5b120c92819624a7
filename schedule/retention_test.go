package schedule

import (
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
)

// TestPD_RETENTION_period covers --pd-retention: the periods it reads and
// the cutoff day they give.
func TestPD_RETENTION_period(t *testing.T) {
	cases := []struct {
		name, in, cutoff string
		bad              bool
	}{
		{"PD-RETENTION default five years", "5y", "2023-10-01", false},
		{"PD-RETENTION months", "18m", "2027-04-01", false},
		{"PD-RETENTION days", "30d", "2028-09-01", false},
		{"PD-RETENTION sum", "1y6m", "2027-04-01", false},
		{"PD-RETENTION empty", "", "", true},
		{"PD-RETENTION no unit", "5", "", true},
		{"PD-RETENTION negative", "-1y", "", true},
		{"PD-RETENTION unknown unit", "5w", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParsePeriod(c.in)
			if (err != nil) != c.bad {
				t.Fatalf("ParsePeriod(%q) = %v, %v", c.in, p, err)
			}
			if c.bad {
				return
			}
			if got := p.Before(aggregates.MustDate("2028-10-01")).String(); got != c.cutoff {
				t.Fatalf("cutoff %s, want %s", got, c.cutoff)
			}
			if q, err := ParsePeriod(p.String()); err != nil || q != p {
				t.Fatalf("String %q does not read back: %v %v", p.String(), q, err)
			}
		})
	}
}

package rates

import (
	"fmt"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// courseFeeLimit returns the most course-fee days of the mobility's
// activity in this year, or an error for a claim over it.
func (t *Table) courseFeeLimit(c calc) (int, error) {
	limit := c.act.CourseFeeMaxDays
	if t.CourseFees.MaxDays > 0 && t.CourseFees.MaxDays < limit {
		limit = t.CourseFees.MaxDays
	}
	n := c.in.CourseFeeDays
	switch {
	case n == 0:
		return limit, nil
	case limit == 0:
		return 0, apperr.RuleField("ACT-COURSE", "course_fee_days", "course fees are paid only for courses and training (SM-COUR-TRAIN); %s gets none", c.act.Code)
	case n > limit:
		return 0, apperr.RuleField("ACT-COURSE", "course_fee_days", "course fees are paid for at most %d days; this mobility claims %d", limit, n)
	case n > c.days:
		return 0, apperr.InvalidField("course_fee_days", "the mobility lasts %d days, so it cannot claim %d course-fee days", c.days, n)
	}
	return limit, nil
}

func (t *Table) courseFees(b *Breakdown, c calc) {
	n := c.in.CourseFeeDays
	if n == 0 {
		return
	}
	limit, _ := t.courseFeeLimit(c)
	per := t.CourseFees.PerDayCents
	b.add(CategoryCourseFees, "ACT-COURSE", times(n, per), fmt.Sprintf("course fees: %s x %s (at most %d days)", plural(n, "day"), eur(per), limit))
}

func (t *Table) linguistic(b *Breakdown, c calc) {
	spent := c.in.UkraineLinguisticCents
	if !c.in.Ukraine || spent == 0 {
		return
	}
	limit := t.Ukraine.LinguisticMaxCents
	paid := min(spent, limit)
	expl := fmt.Sprintf("linguistic support under the Ukraine exception: receipts of %s, at most %s per person", eur(spent), eur(limit))
	if paid < spent {
		expl += fmt.Sprintf(", so %s is paid", eur(paid))
	}
	b.add(CategoryLinguistic, "UA-LINGUISTIC", paid, expl)
}

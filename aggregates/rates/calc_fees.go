package rates

import (
	"github.com/erasmus-ledger/grants/events/apperr"
)

// courseFeeLimit returns the most course-fee days of the mobility's
// activity in this year, or an error for a claim over it. The limit is
// per participant in one project: the days the participant's other
// mobilities claim count too (ACT-COURSE).
func (t *Table) courseFeeLimit(c calc) (int, error) {
	limit := c.act.CourseFeeMaxDays
	if t.CourseFees.MaxDays > 0 && t.CourseFees.MaxDays < limit {
		limit = t.CourseFees.MaxDays
	}
	n, prior := c.in.CourseFeeDays, c.in.PriorCourseFeeDays
	switch {
	case n == 0:
		return limit, nil
	case limit == 0:
		return 0, apperr.RuleField("ACT-COURSE", "course_fee_days", "course fees are paid only for courses and training (SM-COUR-TRAIN); %s gets none", c.act.Code)
	case n > limit:
		return 0, apperr.RuleField("ACT-COURSE", "course_fee_days", "course fees are paid for at most %d days per participant; this mobility claims %d", limit, n)
	case prior > 0 && n > limit-prior:
		return 0, apperr.RuleField("ACT-COURSE", "course_fee_days", "course fees are paid for at most %d days per participant in one project, all of the participant's mobilities together; the participant's other mobilities already claim %d, so %d remain, and this mobility claims %d",
			limit, prior, max(limit-prior, 0), n)
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
	var buf [80]byte
	x := text(buf[:0]).s("course fees: ").plural(n, "day").s(" x ").eur(per).s(" (at most ").d(int64(limit)).s(" days)")
	b.add(CategoryCourseFees, "ACT-COURSE", times(n, per), string(x))
}

// ukraineLinguistic pays linguistic support against receipts up to the
// ceiling per person, less what the participant's other mobilities in the
// project were already paid (UA-LINGUISTIC).
func (t *Table) ukraineLinguistic(b *Breakdown, c calc) {
	spent := c.in.UkraineLinguisticCents
	if !c.in.Ukraine || spent == 0 {
		return
	}
	limit, prior := t.Ukraine.LinguisticMaxCents, max(c.in.PriorUkraineLinguisticCents, 0)
	left := max(limit-prior, 0)
	paid := min(spent, left)
	var buf [224]byte
	x := text(buf[:0]).s("linguistic support under the Ukraine exception: receipts of ").eur(spent).s(", at most ").eur(limit).s(" per person")
	if prior > 0 {
		x = x.s(" across the participant's mobilities, of which ").eur(prior).s(" already paid")
	}
	if paid < spent {
		x = x.s(", so ").eur(paid).s(" is paid")
	}
	b.add(CategoryLinguistic, "UA-LINGUISTIC", paid, string(x))
}

// checkLinguistic checks a claim of general linguistic support against
// this year's rates (BUD-LINGUISTIC).
func (t *Table) checkLinguistic(c calc) error {
	in, ls := c.in, t.LinguisticSupport
	switch {
	case !in.LinguisticSupport:
		return nil
	case in.Accompanying:
		return apperr.InvalidField("linguistic_support", "accompanying persons get no linguistic support")
	case in.Ukraine:
		return apperr.RuleField("BUD-LINGUISTIC", "linguistic_support", "under the Ukraine exception linguistic support is paid against receipts (UA-LINGUISTIC), not as the general unit cost")
	case ls.PerParticipantCents == 0:
		return apperr.RuleField("BUD-LINGUISTIC", "linguistic_support", "the rates of call year %d fund no general linguistic support", t.CallYear)
	case c.days < ls.MinDays:
		return apperr.RuleField("BUD-LINGUISTIC", "linguistic_support", "general linguistic support is paid for mobilities of at least %d days; this one lasts %d", ls.MinDays, c.days)
	}
	return nil
}

// linguistic pays general linguistic support, a unit cost per participant
// of a long enough mobility when the Online Language Support does not
// offer the language (BUD-LINGUISTIC).
func (t *Table) linguistic(b *Breakdown, c calc) {
	if !c.in.LinguisticSupport {
		return
	}
	ls := t.LinguisticSupport
	var buf [192]byte
	x := text(buf[:0]).s("linguistic support: ").eur(ls.PerParticipantCents).s(" per participant of a mobility of at least ").d(int64(ls.MinDays))
	x = x.s(" days (this one lasts ").d(int64(c.days)).s(") whose language the Online Language Support does not offer")
	b.add(CategoryLinguistic, "BUD-LINGUISTIC", ls.PerParticipantCents, string(x))
}

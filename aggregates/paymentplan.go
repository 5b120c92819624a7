package aggregates

import (
	"slices"
	"time"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// defaultBalanceDueDays is how long after the final assessment the balance
// (or the recovery) falls due when the payment plan names no other term.
const defaultBalanceDueDays = 60

// Instalment statuses of a payment schedule (BUD-PAYMENTS), on a given day.
const (
	// InstalmentPlanned: not paid, its due date still to come.
	InstalmentPlanned = "planned"
	// InstalmentDue: not paid, due today.
	InstalmentDue = "due"
	// InstalmentOverdue: not paid, its due date passed.
	InstalmentOverdue = "overdue"
	// InstalmentPaid: paid (or recovered) in full.
	InstalmentPaid = "paid"
)

// PlannedInstalment is one pre-financing instalment of an agreement's
// payment plan (BUD-PAYMENTS): the first pre-financing and any further one
// the agreement provides for. The balance or recovery is not planned: it
// follows from the final assessment.
type PlannedInstalment struct {
	// ID names the instalment within the project (e.g. PF1).
	ID string `json:"id"`
	// Kind is pre-financing.
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
	DueDate     Date   `json:"due_date"`
}

// SetPaymentPlan records (or replaces) the payment plan of a signed grant
// agreement: the national office's decision. Without instalments, a KA1
// project gets the usual plan of BUD-PAYMENTS: 80 % of the grant as
// pre-financing due 30 days after the signature.
type SetPaymentPlan struct {
	ProjectID   string              `json:"project_id"`
	Instalments []PlannedInstalment `json:"instalments,omitempty"`
	// BalanceDueDays is how many days after the final assessment the
	// balance or the recovery falls due (0: 60 days).
	BalanceDueDays int `json:"balance_due_days,omitempty"`
}

// CommandType implements Command.
func (SetPaymentPlan) CommandType() string { return "SetPaymentPlan" }

// Target implements Command.
func (c SetPaymentPlan) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (SetPaymentPlan) OrgWide() bool { return false }

// Validate checks the fields.
func (c SetPaymentPlan) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	if len(c.Instalments) > 24 {
		k.fail("instalments", "a payment plan has at most 24 instalments, not %d", len(c.Instalments))
	}
	seen := map[string]bool{}
	for i, in := range c.Instalments {
		f := idx("instalments", i)
		k.id(f+".id", in.ID)
		if seen[in.ID] {
			k.fail(f+".id", "instalment %s is given twice", in.ID)
		}
		seen[in.ID] = true
		k.oneOf(f+".kind", in.Kind, []string{PaymentPreFinancing})
		k.cents(f+".amount_cents", in.AmountCents, money.MaxProjectCents, true)
		k.date(f+".due_date", in.DueDate)
	}
	if c.BalanceDueDays < 0 || c.BalanceDueDays > 366 {
		k.fail("balance_due_days", "%d is not 0 to 366 days", c.BalanceDueDays)
	}
	return k.result()
}

// PaymentPlanSet records the payment plan of a project's grant agreement
// (BUD-PAYMENTS); a later one replaces it.
type PaymentPlanSet struct {
	ProjectID   string              `json:"project_id"`
	OID         string              `json:"oid"`
	Instalments []PlannedInstalment `json:"instalments"`
	// PlannedCents is the sum of the instalments.
	PlannedCents   int64 `json:"planned_cents"`
	BalanceDueDays int   `json:"balance_due_days"`
	SetOn          Date  `json:"set_on"`
}

// EventType implements Event.
func (PaymentPlanSet) EventType() string { return "PaymentPlanSet" }

// paidPerInstalment adds up the payments matched to each instalment.
func paidPerInstalment(pr Project) map[string]int64 {
	paid := map[string]int64{}
	for _, p := range pr.Payments {
		if p.InstalmentID != "" {
			paid[p.InstalmentID] = money.SatAdd(paid[p.InstalmentID], p.AmountCents)
		}
	}
	return paid
}

func decidePaymentPlan(ctx Context, pr Project, c SetPaymentPlan) (Event, error) {
	if err := requireOpen(pr, "a payment plan", false); err != nil {
		return nil, err
	}
	if !pr.AgreementSigned || pr.Status == StatusReportAssessed {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; the payment plan belongs to a signed grant agreement and is set before the final assessment", pr.ID, pr.Status)
	}
	day := today(ctx)
	if day.Before(pr.SignedOn) {
		return nil, lifecycle("LIFE-ORDER", "SetPaymentPlan of project %s is dated %s, but the grant agreement was signed on %s; it cannot come before that", pr.ID, day, pr.SignedOn)
	}
	if len(c.Instalments) == 0 {
		if pr.Action != ActionKA121 && pr.Action != ActionKA122 {
			return nil, apperr.InvalidField("instalments", "project %s is %s: a KA2 grant is paid in the instalments its agreement lists, so give them (the usual plan of 80 %% within 30 days is KA1's)", pr.ID, pr.Action)
		}
		c.Instalments = []PlannedInstalment{usualKA1PreFinancing(pr)}
	}
	var sum int64
	plan := make([]PlannedInstalment, len(c.Instalments))
	for i, in := range c.Instalments {
		if in.DueDate.Before(pr.SignedOn) {
			return nil, apperr.RuleField("BUD-PAYMENTS", idx("instalments", i)+".due_date", "instalment %s falls due on %s, before the grant agreement was signed on %s", in.ID, in.DueDate, pr.SignedOn)
		}
		sum = money.SatAdd(sum, in.AmountCents)
		plan[i] = in
	}
	if sum > pr.AwardedCents {
		return nil, apperr.RuleField("BUD-GRANT-CAP", "instalments", "the payment plan adds up to %s, beyond the awarded grant of %s", euros(sum), euros(pr.AwardedCents))
	}
	paid := paidPerInstalment(pr)
	for id, v := range paid {
		i := slices.IndexFunc(plan, func(in PlannedInstalment) bool { return in.ID == id })
		if i < 0 {
			return nil, apperr.RuleField("BUD-PAYMENTS", "instalments", "instalment %s of project %s is already paid (%s); the new plan keeps it", id, pr.ID, euros(v))
		}
		if plan[i].AmountCents < v {
			return nil, apperr.RuleField("BUD-PAYMENTS", idx("instalments", i)+".amount_cents", "instalment %s of project %s is already paid %s; the new plan cannot make it smaller", id, pr.ID, euros(v))
		}
	}
	slices.SortStableFunc(plan, func(a, b PlannedInstalment) int { return a.DueDate.Time().Compare(b.DueDate.Time()) })
	days := c.BalanceDueDays
	if days == 0 {
		days = defaultBalanceDueDays
	}
	return PaymentPlanSet{ProjectID: pr.ID, OID: pr.OID, Instalments: plan, PlannedCents: sum, BalanceDueDays: days, SetOn: day}, nil
}

// Usual KA1 pre-financing (BUD-PAYMENTS): 80 % of the grant within 30
// days of the signature.
const (
	ka1PreFinancingPercent = 80
	ka1PreFinancingDays    = 30
)

// usualKA1PreFinancing is the usual first pre-financing of KA1 project pr.
func usualKA1PreFinancing(pr Project) PlannedInstalment {
	return PlannedInstalment{ID: "PF1", Kind: PaymentPreFinancing, AmountCents: pr.AwardedCents/100*ka1PreFinancingPercent + pr.AwardedCents%100*ka1PreFinancingPercent/100,
		DueDate: pr.SignedOn.AddDays(ka1PreFinancingDays)}
}

// checkPlanWithinGrant refuses a grant amended below what the payment plan
// of pr provides for (BUD-GRANT-CAP): the office sets a smaller plan first.
func checkPlanWithinGrant(pr Project, grant int64) error {
	var sum int64
	for _, in := range pr.PaymentPlan {
		sum = money.SatAdd(sum, in.AmountCents)
	}
	if grant < sum {
		return apperr.RuleField("BUD-GRANT-CAP", "awarded_cents", "the payment plan of project %s provides for %s; set a smaller plan before the grant goes below that (asked: %s)", pr.ID, euros(sum), euros(grant))
	}
	return nil
}

// matchInstalment returns the instalment of pr's payment plan that
// pre-financing payment c pays (BUD-PAYMENTS): the one it names, or else
// the first one, by due date, not yet paid in full. A project without a
// plan matches none.
func matchInstalment(pr Project, c RecordPayment) (string, error) {
	if len(pr.PaymentPlan) == 0 {
		if c.InstalmentID != "" {
			return "", apperr.RuleField("BUD-PAYMENTS", "instalment_id", "project %s has no payment plan; a payment names an instalment of the plan", pr.ID)
		}
		return "", nil
	}
	paid := paidPerInstalment(pr)
	for _, in := range pr.PaymentPlan {
		if c.InstalmentID != "" && in.ID != c.InstalmentID {
			continue
		}
		left := money.SatSub(in.AmountCents, paid[in.ID])
		if left <= 0 {
			if c.InstalmentID != "" {
				return "", apperr.RuleField("BUD-PAYMENTS", "instalment_id", "instalment %s of project %s is already paid", in.ID, pr.ID)
			}
			continue
		}
		if c.AmountCents > left {
			return "", apperr.RuleField("BUD-PAYMENTS", "amount_cents", "instalment %s of project %s is %s and %s of it is paid, so at most %s more is paid under it (asked: %s)",
				in.ID, pr.ID, euros(in.AmountCents), euros(paid[in.ID]), euros(left), euros(c.AmountCents))
		}
		return in.ID, nil
	}
	if c.InstalmentID != "" {
		return "", apperr.RuleField("BUD-PAYMENTS", "instalment_id", "project %s has no instalment %s in its payment plan", pr.ID, c.InstalmentID)
	}
	return "", apperr.RuleField("BUD-PAYMENTS", "kind", "every instalment of the payment plan of project %s is paid; further pre-financing needs a new plan first", pr.ID)
}

// InstalmentStatus is one line of a project's payment schedule on a day.
type InstalmentStatus struct {
	// ID is the planned instalment's, or "balance" or "recovery" for what
	// the final assessment leaves to pay or to recover.
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
	DueDate     Date   `json:"due_date"`
	// PaidCents is what was paid (or recovered) under it; PaidOn the day
	// of the last such payment.
	PaidCents int64 `json:"paid_cents"`
	PaidOn    Date  `json:"paid_on,omitzero"`
	// Status is planned, due, overdue or paid.
	Status string `json:"status"`
}

// PaymentSchedule is a project's payment plan with what is paid, due and
// overdue on a day (BUD-PAYMENTS).
type PaymentSchedule struct {
	ProjectID string `json:"project_id"`
	// On is the day the statuses are computed for.
	On Date `json:"on"`
	// Planned tells that the agreement has a payment plan; projects
	// signed before plans existed have none and show only the balance.
	Planned      bool               `json:"planned"`
	Instalments  []InstalmentStatus `json:"instalments"`
	PlannedCents int64              `json:"planned_cents"`
	NetPaidCents int64              `json:"net_paid_cents"`
	// DueCents and OverdueCents are what is unpaid of the instalments due
	// today and of those overdue.
	DueCents     int64 `json:"due_cents"`
	OverdueCents int64 `json:"overdue_cents"`
}

// statusOn is the status of an instalment of amount with paid paid, due
// on due, on day.
func statusOn(amount, paid int64, due, day Date) string {
	switch {
	case paid >= amount:
		return InstalmentPaid
	case day.Before(due):
		return InstalmentPlanned
	case day.Equal(due):
		return InstalmentDue
	}
	return InstalmentOverdue
}

// Schedule returns the project's payment schedule on day: each planned
// instalment and, once the final report is assessed, the balance to pay
// or the amount to recover, due BalanceDueDays after the assessment.
func (p Project) Schedule(day Date) PaymentSchedule {
	s := PaymentSchedule{ProjectID: p.ID, On: day, Planned: len(p.PaymentPlan) > 0, NetPaidCents: p.NetPaidCents, Instalments: []InstalmentStatus{}}
	line := func(st InstalmentStatus) {
		for _, pay := range p.Payments {
			if (st.Kind == PaymentPreFinancing && pay.InstalmentID == st.ID) || (st.Kind != PaymentPreFinancing && pay.Kind == st.Kind) {
				st.PaidCents = money.SatAdd(st.PaidCents, pay.AmountCents)
				st.PaidOn = pay.PaidOn
			}
		}
		st.Status = statusOn(st.AmountCents, st.PaidCents, st.DueDate, day)
		left := max(money.SatSub(st.AmountCents, st.PaidCents), 0)
		switch st.Status {
		case InstalmentDue:
			s.DueCents = money.SatAdd(s.DueCents, left)
		case InstalmentOverdue:
			s.OverdueCents = money.SatAdd(s.OverdueCents, left)
		}
		s.Instalments = append(s.Instalments, st)
	}
	for _, in := range p.PaymentPlan {
		s.PlannedCents = money.SatAdd(s.PlannedCents, in.AmountCents)
		line(InstalmentStatus{ID: in.ID, Kind: in.Kind, AmountCents: in.AmountCents, DueDate: in.DueDate})
	}
	if p.AssessedOn.IsZero() {
		return s
	}
	// What the assessment leaves: the final grant against what was paid
	// before the balance or recovery payments.
	var before int64
	for _, pay := range p.Payments {
		if pay.Kind == PaymentPreFinancing {
			before = money.SatAdd(before, pay.AmountCents)
		}
	}
	days := p.BalanceDueDays
	if days == 0 {
		days = defaultBalanceDueDays
	}
	due := p.AssessedOn.AddDays(days)
	switch left := money.SatSub(p.FinalCents, before); {
	case left > 0:
		line(InstalmentStatus{ID: PaymentBalance, Kind: PaymentBalance, AmountCents: left, DueDate: due})
	case left < 0:
		line(InstalmentStatus{ID: PaymentRecovery, Kind: PaymentRecovery, AmountCents: -left, DueDate: due})
	}
	return s
}

// OfficeDay is the calendar day of t in the national office's default
// zone (Europe/Helsinki): the day a payment schedule is shown for.
func OfficeDay(t time.Time) Date {
	t = t.In(officeZone)
	return NewDate(t.Year(), t.Month(), t.Day())
}

package aggregates

import "testing"

// planOf is the payment plan of testProject (signed 2022-05-20, 50 000 EUR):
// 80 % pre-financing due 2022-06-19, 10 % further pre-financing due
// 2023-01-31, and the balance 45 days after the final assessment.
func planOf() PaymentPlanSet {
	return PaymentPlanSet{ProjectID: testProject, OID: testOrg, Instalments: []PlannedInstalment{
		{ID: "PF1", Kind: PaymentPreFinancing, AmountCents: 4_000_000, DueDate: MustDate("2022-06-19")},
		{ID: "PF2", Kind: PaymentPreFinancing, AmountCents: 500_000, DueDate: MustDate("2023-01-31")},
	}, PlannedCents: 4_500_000, BalanceDueDays: 45, SetOn: MustDate("2022-05-25")}
}

// paymentPlanCases prove BUD-PAYMENTS's payment plan: the office sets it
// after the signature within the grant (BUD-GRANT-CAP), and pre-financing
// payments are matched to its instalments.
func paymentPlanCases() []ruleCase {
	plan := func(ins ...PlannedInstalment) SetPaymentPlan {
		return SetPaymentPlan{ProjectID: testProject, Instalments: ins, BalanceDueDays: 45}
	}
	pf := func(id string, cents int64, due string) PlannedInstalment {
		return PlannedInstalment{ID: id, Kind: PaymentPreFinancing, AmountCents: cents, DueDate: MustDate(due)}
	}
	pay := func(id, instalment string, cents int64) RecordPayment {
		return RecordPayment{ProjectID: testProject, PaymentID: id, Kind: PaymentPreFinancing, AmountCents: cents, InstalmentID: instalment}
	}
	unsigned := cat(registered(), []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		approved(testProject, 5_000_000, "2022-05-20"))
	paidPF1 := PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "P1", Kind: PaymentPreFinancing, AmountCents: 4_000_000,
		NetPaidCents: 4_000_000, PaidOn: MustDate("2022-06-10"), InstalmentID: "PF1"}
	wantInstalment := func(id string) func(*testing.T, Event) {
		return func(t *testing.T, ev Event) {
			if got := ev.(PaymentRecorded).InstalmentID; got != id {
				t.Fatalf("payment matched to instalment %q, want %q", got, id)
			}
		}
	}
	return []ruleCase{
		{name: "BUD-PAYMENTS/plan of the whole grant allowed", given: ka122(), now: "2022-05-25",
			cmd: plan(pf("PF2", 1_000_000, "2023-01-31"), pf("PF1", 4_000_000, "2022-06-19")),
			check: func(t *testing.T, ev Event) {
				e := ev.(PaymentPlanSet)
				if e.PlannedCents != 5_000_000 || e.Instalments[0].ID != "PF1" || e.BalanceDueDays != 45 {
					t.Fatalf("plan not recorded in due order: %+v", e)
				}
			}},
		{name: "BUD-PAYMENTS/KA1 without instalments: 80 % due 30 days after the signature", given: ka122(), now: "2022-05-25",
			cmd: SetPaymentPlan{ProjectID: testProject},
			check: func(t *testing.T, ev Event) {
				e := ev.(PaymentPlanSet)
				if len(e.Instalments) != 1 || e.Instalments[0].AmountCents != 4_000_000 || e.Instalments[0].DueDate.String() != "2022-06-19" || e.BalanceDueDays != 60 {
					t.Fatalf("usual KA1 plan: %+v", e)
				}
			}},
		{name: "BUD-PAYMENTS/KA2 without instalments invalid", now: "2023-03-01", code: "invalid",
			given: cat(registered(), []Event{submitted("P2", ActionKA210, 2022, 1, "2022-09-01", "2023-08-31", 6_000_000)}, running("P2", 6_000_000, "2022-08-01")),
			cmd:   SetPaymentPlan{ProjectID: "P2"}},
		{name: "BUD-PAYMENTS/plan a cent beyond the grant refused (BUD-GRANT-CAP)", given: ka122(), now: "2022-05-25", rule: "BUD-GRANT-CAP",
			cmd: plan(pf("PF1", 4_000_000, "2022-06-19"), pf("PF2", 1_000_001, "2023-01-31"))},
		{name: "BUD-PAYMENTS/plan before the signature refused (LIFE-ORDER)", given: unsigned, now: "2022-05-25", rule: "LIFE-ORDER",
			cmd: plan(pf("PF1", 4_000_000, "2022-06-19"))},
		{name: "BUD-PAYMENTS/instalment due before the signature refused", given: ka122(), now: "2022-05-25", rule: "BUD-PAYMENTS",
			cmd: plan(pf("PF1", 4_000_000, "2022-05-19"))},
		{name: "BUD-PAYMENTS/instalment given twice invalid", given: ka122(), now: "2022-05-25", code: "invalid",
			cmd: plan(pf("PF1", 1_000, "2022-06-19"), pf("PF1", 1_000, "2022-07-19"))},
		{name: "BUD-PAYMENTS/beneficiary setting the plan forbidden (CORE-TASKS)", given: ka122(), now: "2022-05-25", actor: &beneficiary, rule: "CORE-TASKS",
			cmd: plan(pf("PF1", 4_000_000, "2022-06-19"))},
		{name: "BUD-PAYMENTS/new plan dropping a paid instalment refused", given: ka122(planOf(), paidPF1), now: "2022-07-01", rule: "BUD-PAYMENTS",
			cmd: plan(pf("PF2", 500_000, "2023-01-31"))},
		{name: "BUD-PAYMENTS/new plan keeping the paid instalment allowed", given: ka122(planOf(), paidPF1), now: "2022-07-01",
			cmd: plan(pf("PF1", 4_000_000, "2022-06-19"), pf("PF2", 900_000, "2023-02-28"))},
		{name: "BUD-PAYMENTS/pre-financing matched to the first unpaid instalment", given: ka122(planOf()), now: "2022-06-10",
			cmd: pay("P1", "", 4_000_000), check: wantInstalment("PF1")},
		{name: "BUD-PAYMENTS/next pre-financing matched to the next instalment", given: ka122(planOf(), paidPF1), now: "2023-01-20",
			cmd: pay("P2", "", 500_000), check: wantInstalment("PF2")},
		{name: "BUD-PAYMENTS/pre-financing a cent over its instalment refused", given: ka122(planOf()), now: "2022-06-10", rule: "BUD-PAYMENTS",
			cmd: pay("P1", "PF1", 4_000_001)},
		{name: "BUD-PAYMENTS/pre-financing of a paid instalment refused", given: ka122(planOf(), paidPF1), now: "2022-06-20", rule: "BUD-PAYMENTS",
			cmd: pay("P2", "PF1", 1)},
		{name: "BUD-PAYMENTS/pre-financing of an unknown instalment refused", given: ka122(planOf()), now: "2022-06-20", rule: "BUD-PAYMENTS",
			cmd: pay("P1", "PF9", 1)},
		{name: "BUD-PAYMENTS/pre-financing beyond a fully paid plan refused", now: "2023-02-01", rule: "BUD-PAYMENTS",
			given: ka122(planOf(), paidPF1, PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "P2", Kind: PaymentPreFinancing,
				AmountCents: 500_000, NetPaidCents: 4_500_000, PaidOn: MustDate("2023-01-30"), InstalmentID: "PF2"}),
			cmd: pay("P3", "", 1)},
		{name: "BUD-PAYMENTS/instalment named without a plan refused", given: ka122(), now: "2022-06-20", rule: "BUD-PAYMENTS",
			cmd: pay("P1", "PF1", 1)},
		{name: "BUD-PAYMENTS/grant amended below the plan refused (BUD-GRANT-CAP)", given: ka122(planOf()), now: "2022-07-01", rule: "BUD-GRANT-CAP",
			cmd: AmendProject{ProjectID: testProject, AmendmentID: "AM1", AwardedCents: cents(4_499_999), Justification: "fewer participants"}},
		{name: "BUD-PAYMENTS/grant amended down to the plan allowed", given: ka122(planOf()), now: "2022-07-01",
			cmd: AmendProject{ProjectID: testProject, AmendmentID: "AM1", AwardedCents: cents(4_500_000), Justification: "fewer participants"}},
		{name: "BUD-PAYMENTS/a project without a plan pays pre-financing as before", given: ka122(), now: "2022-06-20",
			cmd: pay("P1", "", 4_000_000), check: wantInstalment("")},
	}
}

// TestPaymentScheduleStatuses proves what BUD-PAYMENTS shows: each
// instalment planned, due, overdue or paid on a day, and the balance or
// recovery after the final assessment.
func TestPaymentScheduleStatuses(t *testing.T) {
	reported := FinalReportSubmitted{ProjectID: testProject, OID: testOrg, SubmittedOn: MustDate("2023-09-10")}
	assessed := func(final int64) Event {
		return FinalReportAssessed{ProjectID: testProject, OID: testOrg, Outcome: OutcomeReduced, FinalCents: final, AssessedOn: MustDate("2023-10-01")}
	}
	paidPF1 := PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "P1", Kind: PaymentPreFinancing, AmountCents: 4_000_000,
		NetPaidCents: 4_000_000, PaidOn: MustDate("2022-06-10"), InstalmentID: "PF1"}
	type line struct {
		id, status string
		amount     int64
	}
	cases := []struct {
		name             string
		given            []Event
		on               string
		want             []line
		due, overdue     int64
		wantPlanned      bool
		wantBalanceDueOn string
	}{
		{name: "BUD-PAYMENTS/before the due date planned", given: ka122(planOf()), on: "2022-06-18", wantPlanned: true,
			want: []line{{"PF1", InstalmentPlanned, 4_000_000}, {"PF2", InstalmentPlanned, 500_000}}},
		{name: "BUD-PAYMENTS/on the due date due", given: ka122(planOf()), on: "2022-06-19", wantPlanned: true, due: 4_000_000,
			want: []line{{"PF1", InstalmentDue, 4_000_000}, {"PF2", InstalmentPlanned, 500_000}}},
		{name: "BUD-PAYMENTS/the day after the due date overdue", given: ka122(planOf()), on: "2022-06-20", wantPlanned: true, overdue: 4_000_000,
			want: []line{{"PF1", InstalmentOverdue, 4_000_000}, {"PF2", InstalmentPlanned, 500_000}}},
		{name: "BUD-PAYMENTS/paid in time stays paid", given: ka122(planOf(), paidPF1), on: "2023-02-01", wantPlanned: true, overdue: 500_000,
			want: []line{{"PF1", InstalmentPaid, 4_000_000}, {"PF2", InstalmentOverdue, 500_000}}},
		{name: "BUD-PAYMENTS/balance due 45 days after the assessment", given: ka122(planOf(), paidPF1, reported, assessed(4_600_000)), on: "2023-11-15",
			wantPlanned: true, due: 600_000, wantBalanceDueOn: "2023-11-15", overdue: 500_000,
			want: []line{{"PF1", InstalmentPaid, 4_000_000}, {"PF2", InstalmentOverdue, 500_000}, {PaymentBalance, InstalmentDue, 600_000}}},
		{name: "BUD-PAYMENTS/recovery after a reduced assessment", given: ka122(planOf(), paidPF1, reported, assessed(3_500_000)), on: "2023-11-16",
			wantPlanned: true, overdue: 1_000_000,
			want: []line{{"PF1", InstalmentPaid, 4_000_000}, {"PF2", InstalmentOverdue, 500_000}, {PaymentRecovery, InstalmentOverdue, 500_000}}},
		{name: "BUD-PAYMENTS/a project without a plan shows its balance 60 days after the assessment",
			given: ka122(PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "P1", Kind: PaymentPreFinancing, AmountCents: 4_000_000, NetPaidCents: 4_000_000, PaidOn: MustDate("2022-06-10")},
				reported, assessed(4_500_000),
				PaymentRecorded{ProjectID: testProject, OID: testOrg, PaymentID: "B", Kind: PaymentBalance, AmountCents: 500_000, NetPaidCents: 4_500_000, PaidOn: MustDate("2023-10-20")}),
			on: "2024-01-01", wantBalanceDueOn: "2023-11-30",
			want: []line{{PaymentBalance, InstalmentPaid, 500_000}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := fold(c.given...).Projects[testProject].Schedule(MustDate(c.on))
			if len(s.Instalments) != len(c.want) {
				t.Fatalf("%d instalments, want %d: %+v", len(s.Instalments), len(c.want), s.Instalments)
			}
			for i, w := range c.want {
				g := s.Instalments[i]
				if g.ID != w.id || g.Status != w.status || g.AmountCents != w.amount {
					t.Errorf("instalment %d = %s %s %d, want %s %s %d", i, g.ID, g.Status, g.AmountCents, w.id, w.status, w.amount)
				}
				if c.wantBalanceDueOn != "" && (g.Kind == PaymentBalance || g.Kind == PaymentRecovery) && g.DueDate.String() != c.wantBalanceDueOn {
					t.Errorf("balance due on %s, want %s", g.DueDate, c.wantBalanceDueOn)
				}
			}
			if s.DueCents != c.due || s.OverdueCents != c.overdue || s.Planned != c.wantPlanned {
				t.Errorf("due %d overdue %d planned %v, want %d %d %v", s.DueCents, s.OverdueCents, s.Planned, c.due, c.overdue, c.wantPlanned)
			}
		})
	}
}

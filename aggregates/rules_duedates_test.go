package aggregates_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// signedProject is a signed project ending on 2026-06-30: its final report
// is due on 2026-08-29.
func signedProject() aggregates.Project {
	return aggregates.Project{ID: "P1", OID: "E10000001", Action: aggregates.ActionKA122, Status: aggregates.StatusOngoing,
		AgreementSigned: true, StartDate: aggregates.MustDate("2025-09-01"), EndDate: aggregates.MustDate("2026-06-30")}
}

func flags(fs []aggregates.DueFlag) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Flag)
	}
	return out
}

func TestLIFE_REPORT_DUE_and_LIFE_ASSESS_DUE_boundaries(t *testing.T) {
	submitted := signedProject()
	submitted.Status, submitted.FinalReportOn = aggregates.StatusReportLocked, aggregates.MustDate("2026-08-01") // assessment due 2026-09-30
	reminded := signedProject()
	reminded.DeadlineFlags = []aggregates.RaisedFlag{{Flag: aggregates.FlagFinalReportReminder}}
	overdueFlagged := reminded
	overdueFlagged.DeadlineFlags = append(reminded.DeadlineFlags, aggregates.RaisedFlag{Flag: aggregates.FlagFinalReportOverdue})
	unsigned := signedProject()
	unsigned.AgreementSigned = false
	closed := signedProject()
	closed.Status = aggregates.StatusClosed
	assessed := submitted
	assessed.Status, assessed.AssessedOn = aggregates.StatusReportAssessed, aggregates.MustDate("2026-09-01")
	cases := []struct {
		name    string
		p       aggregates.Project
		today   string
		want    []string
		overdue bool
	}{
		{"LIFE-REPORT-DUE nothing 15 days before the due date", signedProject(), "2026-08-14", nil, false},
		{"LIFE-REPORT-DUE reminder 14 days before", signedProject(), "2026-08-15", []string{aggregates.FlagFinalReportReminder}, false},
		{"LIFE-REPORT-DUE reminder on the due date", signedProject(), "2026-08-29", []string{aggregates.FlagFinalReportReminder}, false},
		{"LIFE-REPORT-DUE overdue the day after, no late reminder", signedProject(), "2026-08-30", []string{aggregates.FlagFinalReportOverdue}, true},
		{"LIFE-REPORT-DUE reminder recorded once", reminded, "2026-08-20", nil, false},
		{"LIFE-REPORT-DUE overdue after the reminder", reminded, "2026-08-30", []string{aggregates.FlagFinalReportOverdue}, true},
		{"LIFE-REPORT-DUE overdue recorded once", overdueFlagged, "2026-10-01", nil, true},
		{"LIFE-REPORT-DUE not before the agreement is signed", unsigned, "2026-08-30", nil, false},
		{"LIFE-REPORT-DUE not for a closed project", closed, "2026-08-30", nil, false},
		{"LIFE-ASSESS-DUE nothing on the 60th day", submitted, "2026-09-30", nil, false},
		{"LIFE-ASSESS-DUE overdue on the 61st day", submitted, "2026-10-01", []string{aggregates.FlagAssessmentOverdue}, true},
		{"LIFE-ASSESS-DUE nothing once assessed", assessed, "2026-12-01", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			day := aggregates.MustDate(c.today)
			if got := flags(aggregates.DueDeadlines(c.p, day)); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("DueDeadlines on %s = %v, want %v", c.today, got, c.want)
			}
			if got := c.p.Overdue(day); got != c.overdue {
				t.Fatalf("Overdue on %s = %v, want %v", c.today, got, c.overdue)
			}
		})
	}
}

// TestLIFE_REPORT_DUE_decided_once: deciding RaiseDeadlineFlags records the
// due flag; deciding it again on the evolved state records nothing.
func TestLIFE_REPORT_DUE_decided_once(t *testing.T) {
	d := aggregates.NewDomain(nil, aggregates.Policy{})
	p := aggregates.NewPortfolio("E10000001")
	p.Projects["P1"] = signedProject()
	ctx := aggregates.Context{Now: time.Date(2026, 8, 30, 12, 0, 0, 0, time.UTC), Actor: events.Actor{Role: aggregates.RoleNationalOffice, UserID: "scheduler"}}
	evs, err := d.Decide(ctx, p, aggregates.RaiseDeadlineFlags{ProjectID: "P1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].(aggregates.DeadlineFlagRaised).Flag != aggregates.FlagFinalReportOverdue || evs[0].(aggregates.DeadlineFlagRaised).Rule != "LIFE-REPORT-DUE" {
		t.Fatalf("first decision = %+v, want one final-report-overdue flag", evs)
	}
	p = aggregates.EvolveAll(p, evs)
	again, err := d.Decide(ctx, p, aggregates.RaiseDeadlineFlags{ProjectID: "P1"})
	if err != nil || len(again) != 0 {
		t.Fatalf("second decision = %+v, %v; want nothing", again, err)
	}
	if !p.Projects["P1"].Flagged(aggregates.FlagFinalReportOverdue) {
		t.Fatal("the evolved project does not record the flag")
	}
}

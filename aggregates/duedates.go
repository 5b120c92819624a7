package aggregates

import "github.com/erasmus-ledger/grants/events"

// Deadline flags a project's aggregate records once each (LIFE-REPORT-DUE,
// LIFE-ASSESS-DUE).
const (
	// FlagFinalReportReminder: the final report is due within
	// ReminderDaysBefore days and has not been submitted.
	FlagFinalReportReminder = "final-report-reminder"
	// FlagFinalReportOverdue: the final report was not submitted within 60
	// days of the project's end.
	FlagFinalReportOverdue = "final-report-overdue"
	// FlagAssessmentOverdue: the office did not assess the final report
	// within 60 days of its submission.
	FlagAssessmentOverdue = "assessment-overdue"
)

// DeadlineFlags returns every deadline flag, in the order they may be raised.
func DeadlineFlags() []string {
	return []string{FlagFinalReportReminder, FlagFinalReportOverdue, FlagAssessmentOverdue}
}

const (
	// AssessmentDueDays is how long after the final report's submission the
	// office has to assess it (LIFE-ASSESS-DUE).
	AssessmentDueDays = 60
	// ReminderDaysBefore is how many days before the final report's due
	// date the reminder is raised (LIFE-REPORT-DUE).
	ReminderDaysBefore = 14
)

// FinalReportDueOn is the day the final report is due: 60 days after the
// project's end (LIFE-REPORT-DUE).
func (p Project) FinalReportDueOn() Date { return p.EndDate.AddDays(finalReportDueDays) }

// AssessmentDueOn is the day the assessment of the submitted final report
// is due (LIFE-ASSESS-DUE); zero while no report was submitted.
func (p Project) AssessmentDueOn() Date {
	if p.FinalReportOn.IsZero() {
		return Date{}
	}
	return p.FinalReportOn.AddDays(AssessmentDueDays)
}

// DueFlag is one deadline flag due on a project.
type DueFlag struct {
	Flag  string `json:"flag"`
	DueOn Date   `json:"due_on"`
}

// DueDeadlines returns the deadline flags due on project p on day today
// that its aggregate has not recorded yet, in the order of DeadlineFlags.
// It is pure: a scheduler asks it, the domain decides RaiseDeadlineFlags
// with it, and a flag once recorded is never due again, so however many
// instances ask, each flag is written once.
func DueDeadlines(p Project, today Date) []DueFlag {
	if !p.AgreementSigned || p.Ended() || p.EndDate.IsZero() {
		return nil
	}
	var out []DueFlag
	due := p.FinalReportDueOn()
	if p.FinalReportOn.IsZero() {
		if !today.Before(due.AddDays(-ReminderDaysBefore)) && !today.After(due) && !p.Flagged(FlagFinalReportReminder) {
			out = append(out, DueFlag{Flag: FlagFinalReportReminder, DueOn: due})
		}
		if today.After(due) && !p.Flagged(FlagFinalReportOverdue) {
			out = append(out, DueFlag{Flag: FlagFinalReportOverdue, DueOn: due})
		}
		return out
	}
	if p.AssessedOn.IsZero() && p.Status == StatusReportLocked {
		if ad := p.AssessmentDueOn(); today.After(ad) && !p.Flagged(FlagAssessmentOverdue) {
			out = append(out, DueFlag{Flag: FlagAssessmentOverdue, DueOn: ad})
		}
	}
	return out
}

// Flagged reports whether the project's aggregate recorded flag.
func (p Project) Flagged(flag string) bool {
	for _, f := range p.DeadlineFlags {
		if f.Flag == flag {
			return true
		}
	}
	return false
}

// Overdue reports whether a deadline of the project is past on day today
// and still unmet: the final report or its assessment.
func (p Project) Overdue(today Date) bool {
	if !p.AgreementSigned || p.Ended() || p.EndDate.IsZero() {
		return false
	}
	if p.FinalReportOn.IsZero() {
		return today.After(p.FinalReportDueOn())
	}
	return p.AssessedOn.IsZero() && p.Status == StatusReportLocked && today.After(p.AssessmentDueOn())
}

// RaiseDeadlineFlags asks the domain to record the deadline flags due on a
// project today (reminders and overdue flags). The deadline scheduler
// issues it as the national office; when nothing is due it records nothing.
type RaiseDeadlineFlags struct {
	ProjectID string `json:"project_id"`
}

// CommandType implements Command.
func (RaiseDeadlineFlags) CommandType() string { return "RaiseDeadlineFlags" }

// Target implements Command.
func (c RaiseDeadlineFlags) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (RaiseDeadlineFlags) OrgWide() bool { return false }

// Validate checks the fields.
func (c RaiseDeadlineFlags) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	return k.result()
}

// DeadlineFlagRaised records a deadline reminder or overdue flag of a
// project (LIFE-REPORT-DUE, LIFE-ASSESS-DUE). A project records each flag once.
type DeadlineFlagRaised struct {
	ProjectID string `json:"project_id"`
	OID       string `json:"oid"`
	// Flag is one of DeadlineFlags.
	Flag string `json:"flag"`
	// Rule is the rule whose deadline it is.
	Rule     string `json:"rule"`
	DueOn    Date   `json:"due_on"`
	RaisedOn Date   `json:"raised_on"`
}

// EventType implements Event.
func (DeadlineFlagRaised) EventType() string { return "DeadlineFlagRaised" }

// RaisedFlag is a deadline flag a project recorded.
type RaisedFlag struct {
	Flag     string `json:"flag"`
	DueOn    Date   `json:"due_on"`
	RaisedOn Date   `json:"raised_on"`
}

// decideDeadlineFlags records the flags DueDeadlines finds due today; none
// due, it records nothing (a second instance deciding the same command
// after the first finds the flags recorded).
func decideDeadlineFlags(ctx Context, pr Project) []Event {
	day := today(ctx)
	var out []Event
	for _, f := range DueDeadlines(pr, day) {
		rule := "LIFE-REPORT-DUE"
		if f.Flag == FlagAssessmentOverdue {
			rule = "LIFE-ASSESS-DUE"
		}
		out = append(out, DeadlineFlagRaised{ProjectID: pr.ID, OID: pr.OID, Flag: f.Flag, Rule: rule, DueOn: f.DueOn, RaisedOn: day})
	}
	return out
}

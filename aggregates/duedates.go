package aggregates

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

package aggregates

// prerequisiteDay returns the day of the recorded step a command on pr
// depends on, and that step's name. When the national office records the
// past, the command's effective day may not come before it (LIFE-ORDER):
// a payment is not made before the agreement was signed, a decision not
// before the application was submitted.
func prerequisiteDay(pr Project, cmd Command) (Date, string) {
	switch c := cmd.(type) {
	case WithdrawApplication, AssessEligibility, DecideApplication:
		return pr.SubmittedOn, "the application was submitted"
	case SignGrantAgreement, RequestUkraineException, TerminateProject, AmendProject:
		return pr.ApprovedOn, "the application was approved"
	case RecordPayment:
		if c.Kind == PaymentPreFinancing {
			return pr.SignedOn, "the grant agreement was signed"
		}
		return pr.AssessedOn, "the final report was assessed"
	case ReportMobility, CorrectMobility, CancelMobility, SubmitInterimReport, SubmitFinalReport:
		return pr.SignedOn, "the grant agreement was signed"
	case AssessFinalReport:
		return pr.FinalReportOn, "the final report was submitted"
	case CloseProject:
		return pr.AssessedOn, "the final report was assessed"
	}
	return Date{}, ""
}

// checkChronology refuses a command dated before the step it depends on.
func checkChronology(ctx Context, pr Project, cmd Command) error {
	day, step := prerequisiteDay(pr, cmd)
	if day.IsZero() || !today(ctx).Before(day) {
		return nil
	}
	return lifecycle("LIFE-ORDER", "%s of project %s is dated %s, but %s on %s; it cannot come before that", cmd.CommandType(), pr.ID, today(ctx), step, day)
}

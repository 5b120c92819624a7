package aggregates

// Validator is implemented by every command: Validate checks the fields of
// the input (types, formats, required values) and returns an
// *apperr.Error of code Invalid naming the field path at fault. Rules that
// need state are checked by Domain.Decide.
type Validator interface {
	Validate() error
}

// AllCommands returns a zero value of every command type.
func AllCommands() []Command {
	return []Command{
		RegisterOrganisation{}, ApplyForAccreditation{}, DecideAccreditation{}, WithdrawAccreditation{},
		SubmitApplication{}, WithdrawApplication{}, AssessEligibility{}, DecideApplication{},
		SignGrantAgreement{}, RecordPayment{}, AmendProject{},
		RequestUkraineException{}, DecideUkraineException{},
		SetPaymentPlan{}, RequestInclusionSupport{}, DecideInclusionSupport{},
		ReportMobility{}, CorrectMobility{}, CancelMobility{},
		SubmitInterimReport{}, SubmitFinalReport{}, AssessFinalReport{},
		CloseProject{}, TerminateProject{},
		PublishCallRound{}, CorrectCallRound{}, PublishRatesTable{}, CorrectRatesTable{}, RecomputeGrants{},
		RaiseDeadlineFlags{},
		AddConsortiumMember{}, RemoveConsortiumMember{}, EraseParticipant{},
	}
}

package aggregates

import (
	"fmt"
	"reflect"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// Decide decides cmd on the organisation's state p at ctx.Now and returns
// the events to append, or an *apperr.Error: Invalid for malformed input,
// Forbidden (rule CORE-TASKS) when the actor may not issue the command,
// NotFound for an unknown project, Conflict for a duplicate ID, and
// RuleViolation citing the rule ID for every rule of the domain. Decide is
// pure: it reads no clock and changes nothing.
func (d *Domain) Decide(ctx Context, p Portfolio, cmd Command) ([]Event, error) {
	cmd = derefCommand(cmd)
	if cmd == nil {
		return nil, apperr.InvalidField("command", "no command given")
	}
	if v, ok := cmd.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	if ctx.Now.IsZero() {
		return nil, apperr.New(apperr.Internal, "the command has no effective time")
	}
	ctx.Now = ctx.Now.In(d.zone())
	if err := authorise(ctx, p, cmd); err != nil {
		return nil, err
	}
	if evs, ok, err := d.decideReference(ctx, p, cmd); ok {
		return evs, err
	}
	if c, ok := cmd.(RecomputeGrants); ok {
		pr, err := projectOf(p, c)
		if err != nil {
			return nil, err
		}
		return d.decideRecompute(ctx, p, pr, c)
	}
	if c, ok := cmd.(RaiseDeadlineFlags); ok {
		pr, err := projectOf(p, c)
		if err != nil {
			return nil, err
		}
		return decideDeadlineFlags(ctx, pr), nil
	}
	ev, err := d.decide(ctx, p, cmd)
	if err != nil {
		return nil, err
	}
	return []Event{ev}, nil
}

// decide dispatches to the command's decision; each command gives one event.
func (d *Domain) decide(ctx Context, p Portfolio, cmd Command) (Event, error) {
	switch c := cmd.(type) {
	case RegisterOrganisation:
		return decideRegister(ctx, p, c)
	case ApplyForAccreditation:
		return decideApplyAccreditation(ctx, p, c)
	case DecideAccreditation:
		return decideAccreditation(ctx, p, c)
	case WithdrawAccreditation:
		return decideWithdrawAccreditation(ctx, p, c)
	case AddConsortiumMember:
		return decideAddMember(ctx, p, c)
	case RemoveConsortiumMember:
		return decideRemoveMember(ctx, p, c)
	case EraseParticipant:
		return decideErase(ctx, p, c)
	case SubmitApplication:
		return d.decideSubmit(ctx, p, c)
	case RecordDisclosure:
		return decideDisclosure(ctx, c)
	}
	pr, err := projectOf(p, cmd)
	if err != nil {
		return nil, err
	}
	if err := checkChronology(ctx, pr, cmd); err != nil {
		return nil, err
	}
	switch c := cmd.(type) {
	case WithdrawApplication:
		return decideWithdrawApplication(ctx, pr)
	case AssessEligibility:
		return decideEligibility(ctx, pr, c)
	case DecideApplication:
		return d.decideApplication(ctx, p, pr, c)
	case SignGrantAgreement:
		return decideSign(ctx, pr, c)
	case RecordPayment:
		return decidePayment(ctx, pr, c)
	case AmendProject:
		return d.decideAmend(ctx, pr, c)
	case SetPaymentPlan:
		return decidePaymentPlan(ctx, pr, c)
	case RequestInclusionSupport:
		return decideRequestSupport(ctx, pr, c)
	case DecideInclusionSupport:
		return decideSupportRequest(ctx, pr, c)
	case RequestUkraineException:
		return decideRequestUkraine(ctx, pr, c)
	case DecideUkraineException:
		return decideUkraine(ctx, pr, c)
	case ReportMobility:
		return d.decideReport(ctx, p, pr, c)
	case CorrectMobility:
		return d.decideCorrect(ctx, p, pr, c)
	case CancelMobility:
		return decideCancel(ctx, pr, c)
	case SubmitInterimReport:
		return decideInterim(ctx, pr, c)
	case SubmitFinalReport:
		return decideFinal(ctx, pr, c)
	case AssessFinalReport:
		return decideAssessFinal(ctx, pr, c)
	case CloseProject:
		return decideClose(ctx, pr)
	case TerminateProject:
		return decideTerminate(ctx, pr, c)
	}
	return nil, apperr.New(apperr.Internal, "command %s is not handled by the domain", cmd.CommandType())
}

// projectOf returns the existing project cmd targets.
func projectOf(p Portfolio, cmd Command) (Project, error) {
	ref := cmd.Target()
	if ref.Kind != KindProject {
		return Project{}, apperr.New(apperr.Internal, "command %s targets a %s, not a project", cmd.CommandType(), ref.Kind)
	}
	pr, ok := p.Projects[ref.ID]
	if !ok || pr.ID == "" {
		return Project{}, apperr.New(apperr.NotFound, "project %s not found", ref.ID)
	}
	if pr.isLean() && pr.factsUnknown {
		return Project{}, needFacts(pr.ID)
	}
	return pr, nil
}

// today is the calendar day of the effective time in the office's zone:
// Decide has put ctx.Now in the office's time zone (Policy.TimeZone).
func today(ctx Context) Date {
	n := ctx.Now
	return NewDate(n.Year(), n.Month(), n.Day())
}

// lifecycle returns a violation of a lifecycle rule.
func lifecycle(rule, format string, args ...any) *apperr.Error {
	return apperr.Rule(rule, format, args...)
}

// duplicate returns a conflict for an ID already used.
func duplicate(field, format string, args ...any) *apperr.Error {
	e := apperr.New(apperr.Conflict, format, args...)
	e.Field = field
	return e
}

// euros renders cents as "1 234.56 EUR" for messages.
func euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole, frac := cents/100, cents%100
	s := fmt.Sprintf("%d", whole)
	out := ""
	for len(s) > 3 {
		out = " " + s[len(s)-3:] + out
		s = s[:len(s)-3]
	}
	out = s + out
	if frac == 0 {
		return sign + out + " EUR"
	}
	return fmt.Sprintf("%s%s.%02d EUR", sign, out, frac)
}

// derefCommand turns a pointer to a command into the command value, so that
// callers may pass either.
func derefCommand(cmd Command) Command {
	if cmd == nil {
		return nil
	}
	v := reflect.ValueOf(cmd)
	if v.Kind() != reflect.Pointer {
		return cmd
	}
	if v.IsNil() {
		return nil
	}
	c, _ := v.Elem().Interface().(Command)
	return c
}

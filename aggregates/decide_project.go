package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// finalReportDueDays is how long after the end date the final report is due.
const finalReportDueDays = 60

// table returns the rates table of a call year (BUD-RATES-DATA).
func (d *Domain) table(callYear int) (*rates.Table, error) {
	if d == nil || d.Rates == nil {
		return nil, apperr.New(apperr.Internal, "the domain has no rates book")
	}
	t, err := d.Rates.Year(callYear)
	if err != nil {
		if ae := apperr.As(err); ae.Code != apperr.Internal {
			return nil, ae
		}
		return nil, apperr.Rule("BUD-RATES-DATA", "the rates table has no rates for call year %d; a project uses the rates of its call year", callYear)
	}
	return t, nil
}

// requireOpen refuses changes to ended projects (LIFE-ENDED) and, with
// locking, to projects whose final report is in (LIFE-REPORT-LOCKED).
func requireOpen(pr Project, what string, locking bool) error {
	if pr.Ended() {
		return lifecycle("LIFE-ENDED", "project %s is %s; nothing changes a closed or terminated project (%s refused)", pr.ID, pr.Status, what)
	}
	if locking && pr.ReportLocked() {
		return lifecycle("LIFE-REPORT-LOCKED", "the final report of project %s was submitted on %s and locks reporting; %s is no longer accepted", pr.ID, pr.FinalReportOn, what)
	}
	return nil
}

// requireRunning requires a signed grant agreement, not ended, not locked.
func requireRunning(pr Project, what string) error {
	if err := requireOpen(pr, what, true); err != nil {
		return err
	}
	if !pr.AgreementSigned {
		return lifecycle("LIFE-ORDER", "project %s is %s; %s needs an approved project with a signed grant agreement", pr.ID, pr.Status, what)
	}
	return nil
}

func decideSign(ctx Context, pr Project, c SignGrantAgreement) (Event, error) {
	if pr.Status != StatusApproved {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; a grant agreement is signed once, for an approved project", pr.ID, pr.Status)
	}
	return GrantAgreementSigned{ProjectID: pr.ID, OID: pr.OID, AgreementNo: strings.TrimSpace(c.AgreementNo), AwardedCents: pr.AwardedCents, SignedOn: today(ctx)}, nil
}

func decidePayment(ctx Context, pr Project, c RecordPayment) (Event, error) {
	for _, pay := range pr.Payments {
		if pay.ID == c.PaymentID {
			return nil, duplicate("payment_id", "payment %s is already recorded for project %s", c.PaymentID, pr.ID)
		}
	}
	net := pr.NetPaidCents
	instalment := ""
	switch c.Kind {
	case PaymentPreFinancing:
		if err := requireOpen(pr, "pre-financing", false); err != nil {
			return nil, err
		}
		if !pr.AgreementSigned || pr.Status == StatusReportAssessed {
			return nil, lifecycle("LIFE-ORDER", "project %s is %s; pre-financing is paid after the grant agreement is signed and before the final assessment", pr.ID, pr.Status)
		}
		if money.SatAdd(net, c.AmountCents) > pr.AwardedCents {
			return nil, apperr.RuleField("BUD-GRANT-CAP", "amount_cents", "payments never exceed the awarded grant of %s; %s is already paid, so at most %s more", euros(pr.AwardedCents), euros(net), euros(max(money.SatSub(pr.AwardedCents, net), 0)))
		}
		id, err := matchInstalment(pr, c)
		if err != nil {
			return nil, err
		}
		instalment = id
		net = money.SatAdd(net, c.AmountCents)
	case PaymentBalance:
		if err := requireOpen(pr, "the balance payment", false); err != nil {
			return nil, err
		}
		if pr.Status != StatusReportAssessed {
			return nil, lifecycle("LIFE-ORDER", "project %s is %s; the balance is paid after the final report is assessed", pr.ID, pr.Status)
		}
		if money.SatAdd(net, c.AmountCents) > pr.FinalCents {
			return nil, apperr.RuleField("BUD-GRANT-CAP", "amount_cents", "payments never exceed the final grant of %s; %s is already paid, so the balance is at most %s", euros(pr.FinalCents), euros(net), euros(max(money.SatSub(pr.FinalCents, net), 0)))
		}
		net = money.SatAdd(net, c.AmountCents)
	case PaymentRecovery:
		if pr.Status != StatusReportAssessed && pr.Status != StatusTerminated {
			return nil, lifecycle("LIFE-ORDER", "project %s is %s; a recovery follows the final assessment or a termination", pr.ID, pr.Status)
		}
		floor := int64(0)
		if pr.Status == StatusReportAssessed {
			floor = pr.FinalCents
		}
		if money.SatSub(net, c.AmountCents) < floor {
			return nil, apperr.InvalidField("amount_cents", "a recovery of %s would bring the net paid (%s) below the grant due of %s; at most %s can be recovered", euros(c.AmountCents), euros(net), euros(floor), euros(max(money.SatSub(net, floor), 0)))
		}
		net = money.SatSub(net, c.AmountCents)
	}
	return PaymentRecorded{ProjectID: pr.ID, OID: pr.OID, PaymentID: c.PaymentID, Kind: c.Kind, AmountCents: c.AmountCents, PaidOn: today(ctx), NetPaidCents: net, InstalmentID: instalment}, nil
}

func (d *Domain) decideAmend(ctx Context, pr Project, c AmendProject) (Event, error) {
	if err := requireOpen(pr, "an amendment", true); err != nil {
		return nil, err
	}
	if !pr.Approved {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; only an approved project is amended", pr.ID, pr.Status)
	}
	for _, a := range pr.Amendments {
		if a == c.AmendmentID {
			return nil, duplicate("amendment_id", "amendment %s is already recorded for project %s", c.AmendmentID, pr.ID)
		}
	}
	ev := ProjectAmended{ProjectID: pr.ID, OID: pr.OID, AmendmentID: c.AmendmentID,
		PreviousStart: pr.StartDate, PreviousEnd: pr.EndDate, PreviousGrant: pr.AwardedCents,
		StartDate: pr.StartDate, EndDate: pr.EndDate, AwardedCents: pr.AwardedCents,
		Justification: strings.TrimSpace(c.Justification), AmendedOn: today(ctx)}
	if !c.StartDate.IsZero() {
		ev.StartDate = c.StartDate
	}
	if !c.EndDate.IsZero() {
		ev.EndDate = c.EndDate
	}
	if ev.EndDate.Before(ev.StartDate) {
		return nil, apperr.InvalidField("end_date", "the amended end %s is before the start %s", ev.EndDate, ev.StartDate)
	}
	if err := checkDuration(pr.Action, ev.StartDate, ev.EndDate, true); err != nil {
		return nil, err
	}
	if pr.isLean() && pr.mobilityCount > 0 {
		return nil, needFacts(pr.ID)
	}
	for _, id := range sortedMobilityIDs(pr) {
		f := pr.facts[id]
		if f.cancelled {
			continue
		}
		if start, end := f.start.date(), f.end.date(); start.Before(ev.StartDate) || end.After(ev.EndDate) {
			return nil, apperr.Rule("MOB-IN-PROJECT", "mobility %s (%s to %s) would fall outside the amended project period %s to %s; reported mobilities stay inside the project",
				id, start, end, ev.StartDate, ev.EndDate)
		}
	}
	if c.AwardedCents != nil {
		g := *c.AwardedCents
		if g > pr.AwardedCents && pr.UkraineApplied && pr.Action != ActionKA121 {
			return nil, apperr.RuleField("UA-GRANT-FIXED", "awarded_cents", "project %s applies the Ukraine exception, so its total grant stays as awarded (%s); it can be raised only in accredited KA121 projects", pr.ID, euros(pr.AwardedCents))
		}
		if err := d.checkLumpSum(pr.Action, pr.CallYear, g, "awarded_cents"); err != nil {
			return nil, err
		}
		if g < pr.ReportedCents {
			return nil, apperr.RuleField("BUD-GRANT-CAP", "awarded_cents", "the reported mobilities already amount to %s; the grant cannot go below that (asked: %s)", euros(pr.ReportedCents), euros(g))
		}
		if g < pr.NetPaidCents {
			return nil, apperr.RuleField("BUD-GRANT-CAP", "awarded_cents", "%s is already paid; the grant cannot go below that (asked: %s)", euros(pr.NetPaidCents), euros(g))
		}
		if err := checkPlanWithinGrant(pr, g); err != nil {
			return nil, err
		}
		ev.AwardedCents = g
	}
	if err := checkSupportAmendment(pr, c); err != nil {
		return nil, err
	}
	ev.InclusionSupportCents, ev.ExceptionalCostsCents = c.InclusionSupportCents, c.ExceptionalCostsCents
	return ev, nil
}

// ukraineScope enforces UA-SCOPE on a project.
func ukraineScope(pr Project) error {
	if pr.Action != ActionKA121 && pr.Action != ActionKA122 {
		return apperr.Rule("UA-SCOPE", "only KA121 and KA122 projects may apply the Ukraine exception; project %s is %s", pr.ID, pr.Action)
	}
	if !pr.Approved {
		return apperr.Rule("UA-SCOPE", "only approved projects may apply the Ukraine exception; project %s is %s", pr.ID, pr.Status)
	}
	if y := pr.ApprovedOn.Year(); y < 2021 || y > 2023 {
		return apperr.Rule("UA-SCOPE", "only projects approved in 2021, 2022 or 2023 may apply the Ukraine exception; project %s was approved on %s", pr.ID, pr.ApprovedOn)
	}
	return nil
}

func decideRequestUkraine(ctx Context, pr Project, c RequestUkraineException) (Event, error) {
	if err := requireOpen(pr, "a Ukraine exception request", true); err != nil {
		return nil, err
	}
	if err := ukraineScope(pr); err != nil {
		return nil, err
	}
	if pr.UkraineApplied || pr.UkraineRequested {
		return nil, lifecycle("LIFE-ORDER", "the Ukraine exception of project %s is already %s", pr.ID, map[bool]string{true: "applied", false: "requested"}[pr.UkraineApplied])
	}
	return UkraineExceptionRequested{ProjectID: pr.ID, OID: pr.OID, Justification: strings.TrimSpace(c.Justification), RequestedOn: today(ctx)}, nil
}

func decideUkraine(ctx Context, pr Project, c DecideUkraineException) (Event, error) {
	if err := requireOpen(pr, "a Ukraine exception decision", true); err != nil {
		return nil, err
	}
	if !pr.UkraineRequested {
		return nil, lifecycle("LIFE-ORDER", "project %s has no pending Ukraine exception request; the beneficiary requests it first", pr.ID)
	}
	if c.Outcome == OutcomeApplied {
		if err := ukraineScope(pr); err != nil {
			return nil, err
		}
	}
	var extra []string
	for _, a := range c.ExtraActivities {
		if act, ok := catalog.ActivityByCode(a); ok && !contains(extra, act.Code) {
			extra = append(extra, act.Code)
		}
	}
	return UkraineExceptionDecided{ProjectID: pr.ID, OID: pr.OID, Outcome: c.Outcome, Note: strings.TrimSpace(c.Note),
		ExtraActivities: extra, DecidedOn: today(ctx)}, nil
}

func decideInterim(ctx Context, pr Project, c SubmitInterimReport) (Event, error) {
	if err := requireRunning(pr, "an interim report"); err != nil {
		return nil, err
	}
	switch {
	case pr.Action == ActionKA121:
	case (pr.Action == ActionKA210 || pr.Action == ActionKA220) && pr.CallYear >= 2023:
	default:
		return nil, lifecycle("LIFE-INTERIM", "interim reports exist for KA121 projects and for KA210 and KA220 from call 2023; project %s is %s of call %d", pr.ID, pr.Action, pr.CallYear)
	}
	for _, r := range pr.InterimReports {
		if r == c.ReportID {
			return nil, duplicate("report_id", "interim report %s is already submitted for project %s", c.ReportID, pr.ID)
		}
	}
	return InterimReportSubmitted{ProjectID: pr.ID, OID: pr.OID, ReportID: c.ReportID, Summary: strings.TrimSpace(c.Summary), SubmittedOn: today(ctx), ReportedCents: pr.ReportedCents}, nil
}

func decideFinal(ctx Context, pr Project, c SubmitFinalReport) (Event, error) {
	if err := requireRunning(pr, "the final report"); err != nil {
		return nil, err
	}
	day := today(ctx)
	if day.Before(pr.EndDate) {
		return nil, lifecycle("LIFE-FINAL-AFTER-END", "project %s ends on %s; its final report is submitted on or after that day, not on %s", pr.ID, pr.EndDate, day)
	}
	if pr.isLean() && pr.mobilityCount > 0 {
		return nil, needFacts(pr.ID)
	}
	if err := checkPupilGroups(pr); err != nil {
		return nil, err
	}
	n := 0
	for _, f := range pr.facts {
		if !f.cancelled {
			n++
		}
	}
	return FinalReportSubmitted{ProjectID: pr.ID, OID: pr.OID, Summary: strings.TrimSpace(c.Summary), SubmittedOn: day,
		ReportedCents: pr.ReportedCents, Mobilities: n, Late: day.After(pr.EndDate.AddDays(finalReportDueDays))}, nil
}

func decideAssessFinal(ctx Context, pr Project, c AssessFinalReport) (Event, error) {
	if err := requireOpen(pr, "the final assessment", false); err != nil {
		return nil, err
	}
	if pr.Status != StatusReportLocked {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; the final report is assessed once, after it is submitted", pr.ID, pr.Status)
	}
	if c.FinalCents > pr.AwardedCents {
		return nil, apperr.RuleField("BUD-GRANT-CAP", "final_cents", "the final grant cannot exceed the awarded grant of %s (asked: %s)", euros(pr.AwardedCents), euros(c.FinalCents))
	}
	if err := checkWorkPackageAssessment(pr, c); err != nil {
		return nil, err
	}
	if c.Outcome == OutcomeAccepted && IsMobilityAction(pr.Action) && c.FinalCents == 0 {
		// Accepting a mobility project's report keeps what was reported.
		c.FinalCents = pr.ReportedCents
	}
	if c.Outcome == OutcomeAccepted && IsMobilityAction(pr.Action) && c.FinalCents != pr.ReportedCents {
		return nil, apperr.InvalidField("final_cents", "an accepted report of a mobility project keeps the reported %s as the final grant: leave final_cents out or give %d; use outcome reduced for %s", euros(pr.ReportedCents), pr.ReportedCents, euros(c.FinalCents))
	}
	return FinalReportAssessed{ProjectID: pr.ID, OID: pr.OID, Outcome: c.Outcome, FinalCents: c.FinalCents, Score: c.Score,
		Note: strings.TrimSpace(c.Note), WorkPackages: c.WorkPackages, AssessedOn: today(ctx), BalanceCents: money.SatSub(c.FinalCents, pr.NetPaidCents)}, nil
}

func decideClose(ctx Context, pr Project) (Event, error) {
	if err := requireOpen(pr, "closing", false); err != nil {
		return nil, err
	}
	if pr.Status != StatusReportAssessed {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; a project is closed after its final report is assessed", pr.ID, pr.Status)
	}
	if pr.NetPaidCents != pr.FinalCents {
		what := "a balance of " + euros(money.SatSub(pr.FinalCents, pr.NetPaidCents)) + " is still to be paid"
		if pr.NetPaidCents > pr.FinalCents {
			what = euros(money.SatSub(pr.NetPaidCents, pr.FinalCents)) + " is still to be recovered"
		}
		return nil, lifecycle("LIFE-SETTLED", "project %s cannot close: the final grant is %s and %s is paid, so %s", pr.ID, euros(pr.FinalCents), euros(pr.NetPaidCents), what)
	}
	return ProjectClosed{ProjectID: pr.ID, OID: pr.OID, FinalCents: pr.FinalCents, NetPaidCents: pr.NetPaidCents, ClosedOn: today(ctx)}, nil
}

func decideTerminate(ctx Context, pr Project, c TerminateProject) (Event, error) {
	if err := requireOpen(pr, "termination", false); err != nil {
		return nil, err
	}
	if !pr.Approved {
		return nil, lifecycle("LIFE-ORDER", "project %s is %s; only an approved project is terminated (an application is rejected or withdrawn)", pr.ID, pr.Status)
	}
	return ProjectTerminated{ProjectID: pr.ID, OID: pr.OID, Reason: strings.TrimSpace(c.Reason), TerminatedOn: today(ctx)}, nil
}

package aggregates

import (
	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events"
	"strings"
)

func projectRef(org, id string) events.Ref {
	return events.Ref{Org: org, Kind: KindProject, ID: id}
}

// SubmitApplication submits a project application; it opens the project.
// It is organisation-wide: CALL-ONE-PER-ROUND, KA121-ACCREDITED and
// KA122-NOT-ACCREDITED look at the applicant's other aggregates.
type SubmitApplication struct {
	// ProjectID is the project number chosen by the caller.
	ProjectID string `json:"project_id"`
	// OID is the applicant organisation.
	OID    string `json:"oid"`
	Action string `json:"action"`
	Field  string `json:"field"`
	// CallYear and Round name the call round.
	CallYear int `json:"call_year"`
	Round    int `json:"round"`
	// Consortium: the applicant applies as a consortium coordinator.
	Consortium     bool      `json:"consortium,omitempty"`
	Title          string    `json:"title,omitempty"`
	Partners       []Partner `json:"partners"`
	StartDate      Date      `json:"start_date"`
	EndDate        Date      `json:"end_date"`
	RequestedCents int64     `json:"requested_cents"`
	// WorkPackages divide the lump sum of a KA210 or KA220 application
	// (KA2-WORK-PACKAGES); other applications have none.
	WorkPackages []WorkPackage `json:"work_packages,omitempty"`
	// InclusionSupportCents and ExceptionalCostsCents are the inclusion
	// support and exceptional costs the application asks for, with their
	// justification (BUD-INCLUSION-REQ); the award decision grants them.
	InclusionSupportCents int64  `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents int64  `json:"exceptional_costs_cents,omitempty"`
	SupportJustification  string `json:"support_justification,omitempty"`
}

// CommandType implements Command.
func (SubmitApplication) CommandType() string { return "SubmitApplication" }

// Target implements Command.
func (c SubmitApplication) Target() events.Ref { return projectRef(c.OID, c.ProjectID) }

// OrgWide implements Command.
func (SubmitApplication) OrgWide() bool { return true }

// Validate checks the fields.
func (c SubmitApplication) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.oid("oid", c.OID)
	k.oneOf("action", c.Action, Actions())
	k.oneOf("field", c.Field, ProjectFields())
	if c.CallYear < 2014 || c.CallYear > 2100 {
		k.fail("call_year", "call year %d is not plausible (2014 or later)", c.CallYear)
	}
	if c.Round < 1 || c.Round > 3 {
		k.fail("round", "round %d is not 1, 2 or 3", c.Round)
	}
	k.text("title", c.Title, false)
	for i, p := range c.Partners {
		f := idx("partners", i)
		if p.OID != "" {
			k.oid(f+".oid", p.OID)
		}
		k.text(f+".name", p.Name, true)
		k.country(f+".country", p.Country)
		k.oneOf(f+".role", p.Role, PartnerRoles())
	}
	k.period("start_date", "end_date", c.StartDate, c.EndDate)
	k.cents("requested_cents", c.RequestedCents, money.MaxProjectCents, true)
	seen := map[string]bool{}
	for i, w := range c.WorkPackages {
		f := idx("work_packages", i)
		k.id(f+".id", w.ID)
		if seen[w.ID] {
			k.fail(f+".id", "work package %s is given twice", w.ID)
		}
		seen[w.ID] = true
		k.text(f+".title", w.Title, true)
		k.cents(f+".share_cents", w.ShareCents, money.MaxProjectCents, true)
	}
	k.cents("inclusion_support_cents", c.InclusionSupportCents, money.MaxProjectCents, false)
	k.cents("exceptional_costs_cents", c.ExceptionalCostsCents, money.MaxProjectCents, false)
	k.text("support_justification", c.SupportJustification, false)
	if (c.InclusionSupportCents > 0 || c.ExceptionalCostsCents > 0) && strings.TrimSpace(c.SupportJustification) == "" {
		k.fail("support_justification", "inclusion support and exceptional costs are asked for with a justification the national office decides on")
	}
	return k.result()
}

// WithdrawApplication withdraws a submitted application before the award
// decision.
type WithdrawApplication struct {
	ProjectID string `json:"project_id"`
	Reason    string `json:"reason,omitempty"`
}

// CommandType implements Command.
func (WithdrawApplication) CommandType() string { return "WithdrawApplication" }

// Target implements Command.
func (c WithdrawApplication) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (WithdrawApplication) OrgWide() bool { return false }

// Validate checks the fields.
func (c WithdrawApplication) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.text("reason", c.Reason, false)
	return k.result()
}

// AssessEligibility records the national office's eligibility check.
type AssessEligibility struct {
	ProjectID string `json:"project_id"`
	// Outcome is eligible or ineligible.
	Outcome string `json:"outcome"`
	Note    string `json:"note,omitempty"`
}

// CommandType implements Command.
func (AssessEligibility) CommandType() string { return "AssessEligibility" }

// Target implements Command.
func (c AssessEligibility) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (AssessEligibility) OrgWide() bool { return false }

// Validate checks the fields.
func (c AssessEligibility) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.oneOf("outcome", c.Outcome, []string{OutcomeEligible, OutcomeIneligible})
	k.text("note", c.Note, false)
	return k.result()
}

// DecideApplication is the award decision. It is organisation-wide:
// KA122-MAX-PROJECTS counts the organisation's other approved projects.
type DecideApplication struct {
	ProjectID string `json:"project_id"`
	// Outcome is approved, reserve or rejected.
	Outcome string `json:"outcome"`
	// AwardedCents is the awarded grant (approved only).
	AwardedCents int64 `json:"awarded_cents,omitempty"`
	// InclusionSupportCents and ExceptionalCostsCents are what the office
	// grants for participants' real inclusion costs and for exceptional
	// costs (BUD-INCLUSION-REQ): mobilities claim them up to these amounts
	// (approved only; 0 grants none).
	InclusionSupportCents int64 `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents int64 `json:"exceptional_costs_cents,omitempty"`
}

// CommandType implements Command.
func (DecideApplication) CommandType() string { return "DecideApplication" }

// Target implements Command.
func (c DecideApplication) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (DecideApplication) OrgWide() bool { return true }

// Validate checks the fields.
func (c DecideApplication) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.oneOf("outcome", c.Outcome, []string{OutcomeApproved, OutcomeReserve, OutcomeRejected})
	if c.Outcome == OutcomeApproved {
		k.cents("awarded_cents", c.AwardedCents, money.MaxProjectCents, true)
	} else if c.AwardedCents != 0 {
		k.fail("awarded_cents", "a grant is awarded only with the outcome approved")
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"inclusion_support_cents", c.InclusionSupportCents}, {"exceptional_costs_cents", c.ExceptionalCostsCents}} {
		k.cents(f.name, f.v, money.MaxProjectCents, false)
		if f.v != 0 && c.Outcome != OutcomeApproved {
			k.fail(f.name, "support is granted only with the outcome approved")
		}
	}
	return k.result()
}

// SignGrantAgreement records the signature of the grant agreement.
type SignGrantAgreement struct {
	ProjectID   string `json:"project_id"`
	AgreementNo string `json:"agreement_no,omitempty"`
}

// CommandType implements Command.
func (SignGrantAgreement) CommandType() string { return "SignGrantAgreement" }

// Target implements Command.
func (c SignGrantAgreement) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (SignGrantAgreement) OrgWide() bool { return false }

// Validate checks the fields.
func (c SignGrantAgreement) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.text("agreement_no", c.AgreementNo, false)
	return k.result()
}

// RecordPayment records a payment (pre-financing, balance or recovery).
type RecordPayment struct {
	ProjectID string `json:"project_id"`
	PaymentID string `json:"payment_id"`
	// Kind is pre-financing, balance or recovery.
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
	// InstalmentID names the instalment of the payment plan a
	// pre-financing pays; left out, the first unpaid one by due date.
	InstalmentID string `json:"instalment_id,omitempty"`
}

// CommandType implements Command.
func (RecordPayment) CommandType() string { return "RecordPayment" }

// Target implements Command.
func (c RecordPayment) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (RecordPayment) OrgWide() bool { return false }

// Validate checks the fields.
func (c RecordPayment) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.id("payment_id", c.PaymentID)
	k.oneOf("kind", c.Kind, []string{PaymentPreFinancing, PaymentBalance, PaymentRecovery})
	k.cents("amount_cents", c.AmountCents, money.MaxProjectCents, true)
	if c.InstalmentID != "" {
		k.id("instalment_id", c.InstalmentID)
		if c.Kind != PaymentPreFinancing {
			k.fail("instalment_id", "only a pre-financing pays a planned instalment; the balance or recovery follows the final assessment")
		}
	}
	return k.result()
}

// AmendProject amends the project's dates or awarded grant. Fields left
// out keep their value.
type AmendProject struct {
	ProjectID   string `json:"project_id"`
	AmendmentID string `json:"amendment_id"`
	StartDate   Date   `json:"start_date,omitzero"`
	EndDate     Date   `json:"end_date,omitzero"`
	// AwardedCents, when set, is the new awarded grant.
	AwardedCents *int64 `json:"awarded_cents,omitempty"`
	// InclusionSupportCents and ExceptionalCostsCents, when set, are the
	// office's new decision on inclusion support and exceptional costs
	// requested while the project runs (BUD-INCLUSION-REQ).
	InclusionSupportCents *int64 `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents *int64 `json:"exceptional_costs_cents,omitempty"`
	Justification         string `json:"justification"`
}

// CommandType implements Command.
func (AmendProject) CommandType() string { return "AmendProject" }

// Target implements Command.
func (c AmendProject) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (AmendProject) OrgWide() bool { return false }

// Validate checks the fields.
func (c AmendProject) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.id("amendment_id", c.AmendmentID)
	if c.StartDate.IsZero() && c.EndDate.IsZero() && c.AwardedCents == nil && c.InclusionSupportCents == nil && c.ExceptionalCostsCents == nil {
		k.fail("", "an amendment changes start_date, end_date, awarded_cents, inclusion_support_cents or exceptional_costs_cents")
	}
	if c.InclusionSupportCents != nil {
		k.cents("inclusion_support_cents", *c.InclusionSupportCents, money.MaxProjectCents, false)
	}
	if c.ExceptionalCostsCents != nil {
		k.cents("exceptional_costs_cents", *c.ExceptionalCostsCents, money.MaxProjectCents, false)
	}
	k.optionalDate("start_date", c.StartDate)
	k.optionalDate("end_date", c.EndDate)
	if !c.StartDate.IsZero() && !c.EndDate.IsZero() && c.EndDate.Before(c.StartDate) {
		k.fail("end_date", "%s is before the start date %s", c.EndDate, c.StartDate)
	}
	if c.AwardedCents != nil {
		k.cents("awarded_cents", *c.AwardedCents, money.MaxProjectCents, true)
	}
	k.text("justification", c.Justification, true)
	return k.result()
}

// RequestUkraineException asks the national office to apply the Ukraine
// exception to the project.
type RequestUkraineException struct {
	ProjectID     string `json:"project_id"`
	Justification string `json:"justification"`
}

// CommandType implements Command.
func (RequestUkraineException) CommandType() string { return "RequestUkraineException" }

// Target implements Command.
func (c RequestUkraineException) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (RequestUkraineException) OrgWide() bool { return false }

// Validate checks the fields.
func (c RequestUkraineException) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.text("justification", c.Justification, true)
	return k.result()
}

// DecideUkraineException is the national office's case-by-case decision
// on a Ukraine exception request.
type DecideUkraineException struct {
	ProjectID string `json:"project_id"`
	// Outcome is applied or refused.
	Outcome string `json:"outcome"`
	Note    string `json:"note,omitempty"`
	// ExtraActivities are KA1 activity codes the office accepts for the
	// project's mobilities under the exception beyond the examples of seed
	// 004 (UA-STAFF-ACTS, UA-PUPIL-ACTS: "other KA1 activities ... the
	// national office judges each case"); only with outcome applied.
	ExtraActivities []string `json:"extra_activities,omitempty"`
}

// CommandType implements Command.
func (DecideUkraineException) CommandType() string { return "DecideUkraineException" }

// Target implements Command.
func (c DecideUkraineException) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (DecideUkraineException) OrgWide() bool { return false }

// Validate checks the fields.
func (c DecideUkraineException) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.oneOf("outcome", c.Outcome, []string{OutcomeApplied, OutcomeRefused})
	k.text("note", c.Note, false)
	if len(c.ExtraActivities) > 0 && c.Outcome != OutcomeApplied {
		k.fail("extra_activities", "activities are accepted only when the exception is applied")
	}
	for i, a := range c.ExtraActivities {
		act, ok := catalog.ActivityByCode(a)
		switch {
		case !ok:
			k.fail(idx("extra_activities", i), "%q is not a Beneficiary Module activity code; known codes: %s", a, strings.Join(catalog.Codes(), ", "))
		case act.Code == catalog.CodeKA202StaffEvent:
			k.fail(idx("extra_activities", i), "%s is a 2014-2020 KA202 activity, not a KA1 activity", act.Code)
		}
	}
	return k.result()
}

// SubmitInterimReport submits an interim report.
type SubmitInterimReport struct {
	ProjectID string `json:"project_id"`
	ReportID  string `json:"report_id"`
	Summary   string `json:"summary"`
}

// CommandType implements Command.
func (SubmitInterimReport) CommandType() string { return "SubmitInterimReport" }

// Target implements Command.
func (c SubmitInterimReport) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (SubmitInterimReport) OrgWide() bool { return false }

// Validate checks the fields.
func (c SubmitInterimReport) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.id("report_id", c.ReportID)
	k.text("summary", c.Summary, false)
	return k.result()
}

// SubmitFinalReport submits the final report; it locks reporting.
type SubmitFinalReport struct {
	ProjectID string `json:"project_id"`
	Summary   string `json:"summary"`
}

// CommandType implements Command.
func (SubmitFinalReport) CommandType() string { return "SubmitFinalReport" }

// Target implements Command.
func (c SubmitFinalReport) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (SubmitFinalReport) OrgWide() bool { return false }

// Validate checks the fields.
func (c SubmitFinalReport) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.text("summary", c.Summary, false)
	return k.result()
}

// AssessFinalReport records the national office's assessment of the final
// report and the final grant.
type AssessFinalReport struct {
	ProjectID string `json:"project_id"`
	// Outcome is accepted or reduced.
	Outcome string `json:"outcome"`
	// FinalCents is the final grant accepted.
	FinalCents int64 `json:"final_cents"`
	// Score is the quality score 0-100 (optional).
	Score int    `json:"score,omitempty"`
	Note  string `json:"note,omitempty"`
	// WorkPackages judge each work package of a KA210 or KA220 project
	// completed or not (KA2-WORK-PACKAGES); none for other projects.
	WorkPackages []WorkPackageAssessment `json:"work_packages,omitempty"`
}

// CommandType implements Command.
func (AssessFinalReport) CommandType() string { return "AssessFinalReport" }

// Target implements Command.
func (c AssessFinalReport) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (AssessFinalReport) OrgWide() bool { return false }

// Validate checks the fields.
func (c AssessFinalReport) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.oneOf("outcome", c.Outcome, []string{OutcomeAccepted, OutcomeReduced})
	k.cents("final_cents", c.FinalCents, money.MaxProjectCents, false)
	if c.Score < 0 || c.Score > 100 {
		k.fail("score", "score %d is not within 0 to 100", c.Score)
	}
	k.text("note", c.Note, false)
	seen := map[string]bool{}
	for i, w := range c.WorkPackages {
		f := idx("work_packages", i) + ".id"
		k.id(f, w.ID)
		if seen[w.ID] {
			k.fail(f, "work package %s is judged twice", w.ID)
		}
		seen[w.ID] = true
	}
	return k.result()
}

// CloseProject finalises a project whose final report was assessed and
// whose balance or recovery is settled.
type CloseProject struct {
	ProjectID string `json:"project_id"`
}

// CommandType implements Command.
func (CloseProject) CommandType() string { return "CloseProject" }

// Target implements Command.
func (c CloseProject) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (CloseProject) OrgWide() bool { return false }

// Validate checks the fields.
func (c CloseProject) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	return k.result()
}

// TerminateProject ends an approved project early.
type TerminateProject struct {
	ProjectID string `json:"project_id"`
	Reason    string `json:"reason"`
}

// CommandType implements Command.
func (TerminateProject) CommandType() string { return "TerminateProject" }

// Target implements Command.
func (c TerminateProject) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (TerminateProject) OrgWide() bool { return false }

// Validate checks the fields.
func (c TerminateProject) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.text("reason", c.Reason, true)
	return k.result()
}

package aggregates

// ApplicationSubmitted records a project application. It opens the project.
type ApplicationSubmitted struct {
	ProjectID string `json:"project_id"`
	// OID is the applicant (the organisation the project belongs to).
	OID            string    `json:"oid"`
	Action         string    `json:"action"`
	Field          string    `json:"field"`
	CallYear       int       `json:"call_year"`
	Round          int       `json:"round"`
	Consortium     bool      `json:"consortium,omitempty"`
	Title          string    `json:"title,omitempty"`
	Partners       []Partner `json:"partners"`
	StartDate      Date      `json:"start_date"`
	EndDate        Date      `json:"end_date"`
	RequestedCents int64     `json:"requested_cents"`
	// WorkPackages divide a KA210 or KA220 lump sum (KA2-WORK-PACKAGES);
	// absent in events recorded before them.
	WorkPackages []WorkPackage `json:"work_packages,omitempty"`
	// InclusionSupportCents and ExceptionalCostsCents are requested with
	// the application (BUD-INCLUSION-REQ); absent in older events.
	InclusionSupportCents int64  `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents int64  `json:"exceptional_costs_cents,omitempty"`
	SupportJustification  string `json:"support_justification,omitempty"`
	// ApplicantCountry is the applicant's country at submission.
	ApplicantCountry string `json:"applicant_country"`
	SubmittedOn      Date   `json:"submitted_on"`
}

// EventType implements Event.
func (ApplicationSubmitted) EventType() string { return "ApplicationSubmitted" }

// ApplicationWithdrawn records that the applicant withdrew its application.
type ApplicationWithdrawn struct {
	ProjectID   string `json:"project_id"`
	OID         string `json:"oid"`
	WithdrawnOn Date   `json:"withdrawn_on"`
}

// EventType implements Event.
func (ApplicationWithdrawn) EventType() string { return "ApplicationWithdrawn" }

// EligibilityAssessed records the national office's eligibility check.
type EligibilityAssessed struct {
	ProjectID  string `json:"project_id"`
	OID        string `json:"oid"`
	Outcome    string `json:"outcome"`
	Note       string `json:"note,omitempty"`
	AssessedOn Date   `json:"assessed_on"`
}

// EventType implements Event.
func (EligibilityAssessed) EventType() string { return "EligibilityAssessed" }

// ApplicationDecided records the award decision: approved with the awarded
// grant, reserve list, or rejected.
type ApplicationDecided struct {
	ProjectID    string `json:"project_id"`
	OID          string `json:"oid"`
	Action       string `json:"action"`
	Field        string `json:"field"`
	CallYear     int    `json:"call_year"`
	Round        int    `json:"round"`
	Outcome      string `json:"outcome"`
	AwardedCents int64  `json:"awarded_cents"`
	// SupportDecided marks an approval that decided inclusion support and
	// exceptional costs (BUD-INCLUSION-REQ); approvals recorded before the
	// rule lack it, and their projects' claims are not limited.
	SupportDecided        bool  `json:"support_decided,omitempty"`
	InclusionSupportCents int64 `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents int64 `json:"exceptional_costs_cents,omitempty"`
	DecidedOn             Date  `json:"decided_on"`
}

// EventType implements Event.
func (ApplicationDecided) EventType() string { return "ApplicationDecided" }

// GrantAgreementSigned records the signature of the grant agreement.
type GrantAgreementSigned struct {
	ProjectID    string `json:"project_id"`
	OID          string `json:"oid"`
	AgreementNo  string `json:"agreement_no,omitempty"`
	AwardedCents int64  `json:"awarded_cents"`
	SignedOn     Date   `json:"signed_on"`
}

// EventType implements Event.
func (GrantAgreementSigned) EventType() string { return "GrantAgreementSigned" }

// PaymentRecorded records a payment: pre-financing or balance paid to the
// beneficiary, or a recovery paid back. AmountCents is always positive.
type PaymentRecorded struct {
	ProjectID   string `json:"project_id"`
	OID         string `json:"oid"`
	PaymentID   string `json:"payment_id"`
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
	PaidOn      Date   `json:"paid_on"`
	// NetPaidCents is the net paid to the project after this payment.
	NetPaidCents int64 `json:"net_paid_cents"`
	// InstalmentID is the planned instalment a pre-financing pays
	// (BUD-PAYMENTS); absent without a payment plan.
	InstalmentID string `json:"instalment_id,omitempty"`
}

// EventType implements Event.
func (PaymentRecorded) EventType() string { return "PaymentRecorded" }

// ProjectAmended records an amendment of the project's dates or grant. It
// carries the values before and after.
type ProjectAmended struct {
	ProjectID     string `json:"project_id"`
	OID           string `json:"oid"`
	AmendmentID   string `json:"amendment_id"`
	PreviousStart Date   `json:"previous_start_date"`
	PreviousEnd   Date   `json:"previous_end_date"`
	PreviousGrant int64  `json:"previous_awarded_cents"`
	StartDate     Date   `json:"start_date"`
	EndDate       Date   `json:"end_date"`
	AwardedCents  int64  `json:"awarded_cents"`
	// InclusionSupportCents and ExceptionalCostsCents, when set, are the
	// office's new decision on them (BUD-INCLUSION-REQ).
	InclusionSupportCents *int64 `json:"inclusion_support_cents,omitempty"`
	ExceptionalCostsCents *int64 `json:"exceptional_costs_cents,omitempty"`
	Justification         string `json:"justification,omitempty"`
	AmendedOn             Date   `json:"amended_on"`
}

// EventType implements Event.
func (ProjectAmended) EventType() string { return "ProjectAmended" }

// UkraineExceptionRequested records the beneficiary's request to apply the
// Ukraine exception to its project.
type UkraineExceptionRequested struct {
	ProjectID     string `json:"project_id"`
	OID           string `json:"oid"`
	Justification string `json:"justification,omitempty"`
	RequestedOn   Date   `json:"requested_on"`
}

// EventType implements Event.
func (UkraineExceptionRequested) EventType() string { return "UkraineExceptionRequested" }

// UkraineExceptionDecided records the national office's case-by-case
// decision on the Ukraine exception (applied or refused).
type UkraineExceptionDecided struct {
	ProjectID string `json:"project_id"`
	OID       string `json:"oid"`
	Outcome   string `json:"outcome"`
	Note      string `json:"note,omitempty"`
	// ExtraActivities are the activity codes the office accepted beyond
	// the examples of seed 004 (absent in events recorded before them).
	ExtraActivities []string `json:"extra_activities,omitempty"`
	DecidedOn       Date     `json:"decided_on"`
}

// EventType implements Event.
func (UkraineExceptionDecided) EventType() string { return "UkraineExceptionDecided" }

// InterimReportSubmitted records an interim report.
type InterimReportSubmitted struct {
	ProjectID   string `json:"project_id"`
	OID         string `json:"oid"`
	ReportID    string `json:"report_id"`
	Summary     string `json:"summary,omitempty"`
	SubmittedOn Date   `json:"submitted_on"`
	// ReportedCents is the sum of reported mobility grants at submission.
	ReportedCents int64 `json:"reported_cents"`
}

// EventType implements Event.
func (InterimReportSubmitted) EventType() string { return "InterimReportSubmitted" }

// FinalReportSubmitted records the final report; it locks reporting.
type FinalReportSubmitted struct {
	ProjectID     string `json:"project_id"`
	OID           string `json:"oid"`
	Summary       string `json:"summary,omitempty"`
	SubmittedOn   Date   `json:"submitted_on"`
	ReportedCents int64  `json:"reported_cents"`
	Mobilities    int    `json:"mobilities"`
	// Late is set when submitted more than 60 days after the end date.
	Late bool `json:"late,omitempty"`
}

// EventType implements Event.
func (FinalReportSubmitted) EventType() string { return "FinalReportSubmitted" }

// FinalReportAssessed records the national office's assessment of the final
// report and the final grant it accepts.
type FinalReportAssessed struct {
	ProjectID  string `json:"project_id"`
	OID        string `json:"oid"`
	Outcome    string `json:"outcome"`
	FinalCents int64  `json:"final_cents"`
	Score      int    `json:"score,omitempty"`
	Note       string `json:"note,omitempty"`
	// WorkPackages are the office's judgments of a KA210 or KA220
	// project's work packages (KA2-WORK-PACKAGES).
	WorkPackages []WorkPackageAssessment `json:"work_packages,omitempty"`
	AssessedOn   Date                    `json:"assessed_on"`
	// BalanceCents is what is left to pay (positive) or to recover
	// (negative) given the net paid so far.
	BalanceCents int64 `json:"balance_cents"`
}

// EventType implements Event.
func (FinalReportAssessed) EventType() string { return "FinalReportAssessed" }

// ProjectClosed records that the project was finalised.
type ProjectClosed struct {
	ProjectID    string `json:"project_id"`
	OID          string `json:"oid"`
	FinalCents   int64  `json:"final_cents"`
	NetPaidCents int64  `json:"net_paid_cents"`
	ClosedOn     Date   `json:"closed_on"`
}

// EventType implements Event.
func (ProjectClosed) EventType() string { return "ProjectClosed" }

// ProjectTerminated records an early termination of an approved project.
type ProjectTerminated struct {
	ProjectID    string `json:"project_id"`
	OID          string `json:"oid"`
	Reason       string `json:"reason"`
	TerminatedOn Date   `json:"terminated_on"`
}

// EventType implements Event.
func (ProjectTerminated) EventType() string { return "ProjectTerminated" }

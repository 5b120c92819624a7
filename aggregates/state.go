package aggregates

import (
	"github.com/erasmus-ledger/grants/aggregates/money"
)

// Accreditation is one Erasmus accreditation of an organisation.
type Accreditation struct {
	ID               string      `json:"id"`
	Field            string      `json:"field"`
	Kind             string      `json:"kind"`
	Plan             ErasmusPlan `json:"plan"`
	StrategyAttached bool        `json:"strategy_attached"`
	Status           string      `json:"status"`
	AppliedOn        Date        `json:"applied_on"`
	DecidedOn        Date        `json:"decided_on,omitzero"`
	WithdrawnOn      Date        `json:"withdrawn_on,omitzero"`
	// Members are the organisations of a consortium accreditation, in the
	// order they joined (CONS-MEMBER).
	Members []ConsortiumMember `json:"members,omitempty"`
}

// ValidOn reports whether the accreditation is in force on day d: granted
// on or before d and not withdrawn on or before d.
func (a Accreditation) ValidOn(d Date) bool {
	if a.DecidedOn.IsZero() || a.DecidedOn.After(d) {
		return false
	}
	switch a.Status {
	case AccreditationStatusGranted:
		return true
	case AccreditationStatusWithdrawn:
		return a.WithdrawnOn.After(d)
	}
	return false
}

// Organisation is the organisation aggregate: its registration and its
// accreditations.
type Organisation struct {
	Registered     bool                     `json:"registered"`
	OID            string                   `json:"oid"`
	LegalName      string                   `json:"legal_name"`
	Country        string                   `json:"country"`
	City           string                   `json:"city"`
	Kind           string                   `json:"kind"`
	Accreditations map[string]Accreditation `json:"accreditations"`
	// ErasedParticipants holds the day each erased participant's personal
	// data was erased (PD-ERASE), by participant ID.
	ErasedParticipants map[string]Date `json:"erased_participants,omitempty"`
}

// AccreditedIn reports whether the organisation holds an accreditation in
// field in force on day d, and returns it: of several, the one with the
// smallest ID, so that a decision (and the message of a refusal) never
// depends on the order a map is walked in.
func (o Organisation) AccreditedIn(field string, d Date) (Accreditation, bool) {
	return o.firstAccreditation(func(a Accreditation) bool { return a.Field == field && a.ValidOn(d) })
}

// ConsortiumAccreditedIn is AccreditedIn for a consortium's accreditation
// (KA121-ACCREDITED: a consortium applies under one).
func (o Organisation) ConsortiumAccreditedIn(field string, d Date) (Accreditation, bool) {
	return o.firstAccreditation(func(a Accreditation) bool {
		return a.Kind == AccreditationConsortium && a.Field == field && a.ValidOn(d)
	})
}

// firstAccreditation returns the accreditation with the smallest ID among
// those for which match holds.
func (o Organisation) firstAccreditation(match func(Accreditation) bool) (Accreditation, bool) {
	var first Accreditation
	found := false
	for _, a := range o.Accreditations {
		if match(a) && (!found || a.ID < first.ID) {
			first, found = a, true
		}
	}
	return first, found
}

// Payment is one recorded payment.
type Payment struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
	PaidOn      Date   `json:"paid_on"`
	// InstalmentID is the planned instalment a pre-financing payment pays
	// (BUD-PAYMENTS); empty without a payment plan.
	InstalmentID string `json:"instalment_id,omitempty"`
}

// MobilityRecord is a reported mobility with its computed grant.
type MobilityRecord struct {
	Mobility   Mobility       `json:"mobility"`
	Days       int            `json:"days"`
	DistanceKm int            `json:"distance_km"`
	Grant      GrantBreakdown `json:"grant"`
	Cancelled  bool           `json:"cancelled,omitempty"`
	ReportedOn Date           `json:"reported_on"`
	// Seq is the mobility's place in the order the project's mobilities
	// were first reported (1 upwards); a correction or cancellation keeps it.
	Seq int `json:"seq"`
}

// Project is the project aggregate.
type Project struct {
	ID               string    `json:"id"`
	OID              string    `json:"oid"`
	Action           string    `json:"action"`
	Field            string    `json:"field"`
	CallYear         int       `json:"call_year"`
	Round            int       `json:"round"`
	Consortium       bool      `json:"consortium,omitempty"`
	Title            string    `json:"title,omitempty"`
	Partners         []Partner `json:"partners"`
	ApplicantCountry string    `json:"applicant_country"`
	StartDate        Date      `json:"start_date"`
	EndDate          Date      `json:"end_date"`
	RequestedCents   int64     `json:"requested_cents"`
	// WorkPackages divide a KA210 or KA220 lump sum (KA2-WORK-PACKAGES).
	WorkPackages []WorkPackage `json:"work_packages,omitempty"`
	// WorkPackagesAssessed are the office's judgments at the final assessment.
	WorkPackagesAssessed []WorkPackageAssessment `json:"work_packages_assessed,omitempty"`
	Status               string                  `json:"status"`
	SubmittedOn          Date                    `json:"submitted_on"`
	// Approved is set once the application was approved (it stays set
	// after termination: the project was granted).
	Approved     bool  `json:"approved,omitempty"`
	ApprovedOn   Date  `json:"approved_on,omitzero"`
	AwardedCents int64 `json:"awarded_cents"`
	// SupportDecided: the office decided the project's inclusion support
	// and exceptional costs, which its mobilities claim up to
	// InclusionSupportCents and ExceptionalCostsCents (BUD-INCLUSION-REQ).
	SupportDecided        bool  `json:"support_decided,omitempty"`
	InclusionSupportCents int64 `json:"inclusion_support_cents"`
	ExceptionalCostsCents int64 `json:"exceptional_costs_cents"`
	// AgreementSigned: the grant agreement was signed.
	AgreementSigned bool `json:"agreement_signed,omitempty"`
	SignedOn        Date `json:"signed_on,omitzero"`
	// Payments in order; NetPaidCents is paid minus recovered.
	Payments     []Payment `json:"payments"`
	NetPaidCents int64     `json:"net_paid_cents"`
	// PaymentPlan is the agreement's pre-financing instalments by due date
	// and BalanceDueDays the term of the balance or recovery after the
	// final assessment (BUD-PAYMENTS); none for agreements without a plan.
	PaymentPlan    []PlannedInstalment `json:"payment_plan,omitempty"`
	BalanceDueDays int                 `json:"balance_due_days,omitempty"`
	// RequestedInclusionCents and RequestedExceptionalCents are what the
	// application asked for (BUD-INCLUSION-REQ); the award decides them.
	RequestedInclusionCents   int64 `json:"requested_inclusion_cents,omitempty"`
	RequestedExceptionalCents int64 `json:"requested_exceptional_cents,omitempty"`
	// SupportRequests are the requests for inclusion support and
	// exceptional costs made while the project runs, pending or decided.
	SupportRequests []SupportRequest `json:"support_requests,omitempty"`
	// Amendments are the IDs of the amendments applied, in order.
	Amendments []string `json:"amendments"`
	// UkraineRequested and UkraineApplied follow the Ukraine exception.
	UkraineRequested bool `json:"ukraine_requested,omitempty"`
	UkraineApplied   bool `json:"ukraine_applied,omitempty"`
	// UkraineActivities are the activities the national office accepted
	// for the exception beyond the examples of seed 004.
	UkraineActivities []string `json:"ukraine_activities,omitempty"`
	// Mobilities by mobility ID (cancelled ones are kept, flagged).
	Mobilities map[string]MobilityRecord `json:"mobilities"`
	// ReportedCents is the sum of the grants of non-cancelled mobilities.
	ReportedCents int64 `json:"reported_cents"`
	// CountedMobilities is the number of mobilities counting toward
	// KA122-MAX-MOB.
	CountedMobilities int `json:"counted_mobilities"`
	// InterimReports are the IDs of the interim reports submitted.
	InterimReports []string `json:"interim_reports"`
	// FinalReportOn is when the final report was submitted (locks reporting).
	FinalReportOn Date `json:"final_report_on,omitzero"`
	// FinalCents is the final grant accepted by the assessment.
	FinalCents int64 `json:"final_cents"`
	AssessedOn Date  `json:"assessed_on,omitzero"`
	// DeadlineFlags are the reminders and overdue flags recorded, in order
	// (LIFE-REPORT-DUE, LIFE-ASSESS-DUE); each flag at most once.
	DeadlineFlags []RaisedFlag `json:"deadline_flags,omitempty"`

	// facts are what the rules read of each mobility, by mobility ID
	// (mobilityFacts): kept by Evolve in full and compact portfolios
	// alike, so that a decision reads the same thing in both. A compact
	// portfolio (NewCompactPortfolio) leaves Mobilities nil.
	facts map[string]mobilityFacts
	// orgSupportCount is the number of mobilities that count as
	// participants for organisational support (paysOrgSupport), kept by
	// Evolve so that a new report does not count them again.
	orgSupportCount int
	// byParticipant lists the IDs of the mobilities of each participant
	// (ParticipantID), sorted; a slice is replaced, never changed, when it
	// changes. It keeps a participant's claims a look-up, not a scan.
	byParticipant map[string][]string
	// claimed is what the mobilities not cancelled claim under
	// BUD-INCLUSION-REQ, kept by Evolve; claimsInexact tells that a sum
	// once left int64, after which the claims are added up again.
	claimed       supportClaims
	claimsInexact bool

	// lean: a compact project (lean.go), which keeps no facts (nor
	// byParticipant) but the fields below.
	lean bool
	// mobilityIDs holds a hash of every mobility ID (idHash).
	mobilityIDs map[uint64]struct{}
	// mobilityCount is the number of mobilities reported.
	mobilityCount int
	// participantSums are the claims of the participants that claim any;
	// sumsInexact tells that a sum once left int64.
	participantSums map[string]participantSum
	sumsInexact     bool
	// factsUnknown: a cancellation or correction of a mobility was folded
	// without its facts, so the running figures are unknown.
	factsUnknown bool
}

// ReportLocked reports whether the final report was submitted.
func (p Project) ReportLocked() bool { return !p.FinalReportOn.IsZero() }

// Ended reports whether the project is closed or terminated.
func (p Project) Ended() bool { return p.Status == StatusClosed || p.Status == StatusTerminated }

// Portfolio is the state of one organisation: the organisation aggregate
// and every project it applied for.
type Portfolio struct {
	OID          string             `json:"oid"`
	Organisation Organisation       `json:"organisation"`
	Projects     map[string]Project `json:"projects"`
	// Reference is the reference data the national office published
	// (only in the portfolio of OfficeOrg).
	Reference Reference `json:"-"`
	// compact: Evolve keeps the mobilities' facts, not their records
	// (NewCompactPortfolio).
	compact bool
}

// NewPortfolio returns the empty state of organisation oid.
func NewPortfolio(oid string) Portfolio {
	return Portfolio{
		OID:          oid,
		Organisation: Organisation{OID: oid, Accreditations: map[string]Accreditation{}},
		Projects:     map[string]Project{},
	}
}

// RemainingCents is what is left of the awarded grant after the reported
// mobilities (BUD-GRANT-CAP): what further reports may still claim.
func (p Project) RemainingCents() int64 { return money.SatSub(p.AwardedCents, p.ReportedCents) }

package aggregates

import "github.com/erasmus-ledger/grants/aggregates/catalog"

// Organisation kinds (RegisterOrganisation.Kind).
const (
	OrgVETProvider     = "vet-provider"
	OrgSchool          = "school"
	OrgAdultEducation  = "adult-education"
	OrgHigherEducation = "higher-education"
	OrgCompany         = "company"
	OrgPublicBody      = "public-body"
	OrgNGO             = "ngo"
	OrgResearch        = "research"
	OrgOther           = "other"
)

// OrganisationKinds lists the allowed organisation kinds.
func OrganisationKinds() []string {
	return []string{OrgVETProvider, OrgSchool, OrgAdultEducation, OrgHigherEducation, OrgCompany, OrgPublicBody, OrgNGO, OrgResearch, OrgOther}
}

// Fields of education and training.
const (
	FieldVET             = catalog.FieldVET
	FieldSchool          = catalog.FieldSchool
	FieldAdult           = catalog.FieldAdult
	FieldHigherEducation = "higher-education"
	FieldYouth           = "youth"
)

// AccreditationFields lists the fields an Erasmus accreditation is granted in.
func AccreditationFields() []string { return []string{FieldVET, FieldSchool, FieldAdult} }

// ProjectFields lists the fields a project may be in.
func ProjectFields() []string {
	return []string{FieldVET, FieldSchool, FieldAdult, FieldHigherEducation, FieldYouth}
}

// Actions (project types).
const (
	// ActionKA121 is the accredited mobility project (2021-2027).
	ActionKA121 = "KA121"
	// ActionKA122 is the short-term mobility project (2021-2027).
	ActionKA122 = "KA122"
	// ActionKA210 is the small-scale partnership (2021-2027).
	ActionKA210 = "KA210"
	// ActionKA220 is the cooperation partnership (2021-2027).
	ActionKA220 = "KA220"
	// ActionKA202 is the 2014-2020 strategic partnership in VET.
	ActionKA202 = "KA202"
)

// Actions lists the actions the ledger tracks.
func Actions() []string {
	return []string{ActionKA121, ActionKA122, ActionKA210, ActionKA220, ActionKA202}
}

// IsMobilityAction reports whether action is a KA1 mobility project, whose
// mobilities are reported one by one and funded by unit costs.
func IsMobilityAction(action string) bool { return action == ActionKA121 || action == ActionKA122 }

// Partner roles.
const (
	// RoleFullPartner is a partner organisation of a partnership.
	RoleFullPartner = "partner"
	// RoleAssociatedPartner takes part without counting toward the minimum.
	RoleAssociatedPartner = "associated-partner"
	// RoleConsortiumMember is a member of an accredited consortium.
	RoleConsortiumMember = "consortium-member"
	// RoleHost is a receiving (host) organisation named in advance.
	RoleHost = "host"
)

// PartnerRoles lists the allowed partner roles.
func PartnerRoles() []string {
	return []string{RoleFullPartner, RoleAssociatedPartner, RoleConsortiumMember, RoleHost}
}

// Accreditation application kinds.
const (
	AccreditationSingle     = "single"
	AccreditationConsortium = "consortium"
)

// Decision outcomes.
const (
	// OutcomeGranted grants an accreditation.
	OutcomeGranted = "granted"
	// OutcomeRejected rejects an accreditation or an application.
	OutcomeRejected = "rejected"
	// OutcomeApproved approves an application with an awarded grant.
	OutcomeApproved = "approved"
	// OutcomeReserve puts an application on the reserve list.
	OutcomeReserve = "reserve"
	// OutcomeEligible and OutcomeIneligible are eligibility assessments.
	OutcomeEligible   = "eligible"
	OutcomeIneligible = "ineligible"
	// OutcomeApplied and OutcomeRefused decide a Ukraine exception request.
	OutcomeApplied = "applied"
	OutcomeRefused = "refused"
	// OutcomeAccepted and OutcomeReduced assess a final report.
	OutcomeAccepted = "accepted"
	OutcomeReduced  = "reduced"
)

// Payment kinds.
const (
	PaymentPreFinancing = "pre-financing"
	PaymentBalance      = "balance"
	PaymentRecovery     = "recovery"
)

// Ukraine-exception participant categories.
const (
	UkrainePupil         = "pupil"
	UkraineStaff         = "staff"
	UkraineInvitedExpert = "invited-expert"
)

// Evidence documents of the Ukraine exception (UA-EVIDENCE).
const (
	DocEnrolmentCertificate  = "enrolment-certificate"
	DocTranscript            = "transcript"
	DocRegisterExtract       = "register-extract"
	DocUkrainianBodyCert     = "ukrainian-body-certificate"
	DocPaySlip               = "pay-slip"
	DocDegreeCertificate     = "degree-certificate"
	DocEmploymentContract    = "employment-contract"
	DocEmploymentCertificate = "employment-certificate"
)

// PupilEvidence lists the documents that prove a pupil's eligibility.
func PupilEvidence() []string {
	return []string{DocEnrolmentCertificate, DocTranscript, DocRegisterExtract, DocUkrainianBodyCert}
}

// StaffEvidence lists the documents that prove a staff member's eligibility.
func StaffEvidence() []string {
	return []string{DocPaySlip, DocDegreeCertificate, DocEmploymentContract, DocEmploymentCertificate}
}

// Project statuses (Project.Status).
const (
	StatusSubmitted      = "submitted"
	StatusWithdrawn      = "withdrawn"
	StatusEligible       = "eligible"
	StatusIneligible     = "ineligible"
	StatusApproved       = "approved"
	StatusReserve        = "reserve-listed"
	StatusRejected       = "rejected"
	StatusOngoing        = "ongoing"
	StatusReportLocked   = "final-report-submitted"
	StatusReportAssessed = "final-report-assessed"
	StatusClosed         = "closed"
	StatusTerminated     = "terminated"
)

// Accreditation statuses.
const (
	AccreditationStatusApplied   = "applied"
	AccreditationStatusGranted   = "granted"
	AccreditationStatusRejected  = "rejected"
	AccreditationStatusWithdrawn = "withdrawn"
)

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

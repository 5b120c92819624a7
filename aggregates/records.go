package aggregates

import "github.com/erasmus-ledger/grants/events/pii"

// Partner is one partner organisation of a project.
type Partner struct {
	// OID is the partner's organisation ID, if it has one.
	OID string `json:"oid,omitempty"`
	// Name is the partner's legal name.
	Name string `json:"name"`
	// Country is the ISO 3166-1 alpha-2 code (Greece is EL).
	Country string `json:"country"`
	// Role is one of PartnerRoles().
	Role string `json:"role"`
}

// Objective is one objective of an Erasmus plan with the indicators that
// measure it.
type Objective struct {
	Text       string   `json:"text"`
	Indicators []string `json:"indicators"`
}

// ErasmusPlan is the plan an accreditation application carries.
type ErasmusPlan struct {
	// FromYear and ToYear are the plan's first and last years (inclusive).
	FromYear   int         `json:"from_year"`
	ToYear     int         `json:"to_year"`
	Objectives []Objective `json:"objectives"`
}

// Place is a point on the map, used to derive a travel distance.
type Place struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Personal holds a participant's personal data. It is kept apart from the
// rest of a mobility so read models store it in a separate table and
// analysts only ever see the pseudonymous participant ID.
type Personal struct {
	FirstName   string `json:"first_name,omitempty"`
	LastName    string `json:"last_name,omitempty"`
	BirthDate   Date   `json:"birth_date,omitzero"`
	Email       string `json:"email,omitempty"`
	Gender      string `json:"gender,omitempty"`
	Nationality string `json:"nationality,omitempty"`
}

// UkraineParticipant is what a mobility under the Ukraine exception records
// about the participant's eligibility (docs/rules.md section 5).
type UkraineParticipant struct {
	// Category is pupil, staff or invited-expert.
	Category string `json:"category"`
	// RightToStudy: the pupil has a right to study in Finland.
	RightToStudy bool `json:"right_to_study,omitempty"`
	// PreparatoryOffered: preparatory education is offered to the pupil.
	PreparatoryOffered bool `json:"preparatory_offered,omitempty"`
	// WorkedInUkraine: staff worked in a general-education organisation in
	// Ukraine during the Russian invasion (UA-ELIG-STAFF).
	WorkedInUkraine bool `json:"worked_in_ukraine,omitempty"`
	// SuitableEducation: staff has suitable education (UA-ELIG-STAFF).
	SuitableEducation bool `json:"suitable_education,omitempty"`
	// ExpertiseMatchesHost: an invited expert's expertise matches the
	// host's needs (UA-ELIG-STAFF).
	ExpertiseMatchesHost bool `json:"expertise_matches_host,omitempty"`
	// Documents are the evidence checked (UA-EVIDENCE), see PupilEvidence
	// and StaffEvidence: the examples of seed 004.
	Documents []string `json:"documents"`
	// OtherDocument describes a different document accepted as evidence
	// (UA-EVIDENCE: "a different document is accepted when it is described").
	OtherDocument string `json:"other_document,omitempty"`
	// ReceivingSignature: the receiving organisation signed the proof of
	// the mobility (UA-PROOF).
	ReceivingSignature bool `json:"receiving_signature,omitempty"`
	// LearningAgreement: a learning agreement made by the receiving
	// organisation was signed by the participant (UA-PROOF, recommended).
	LearningAgreement bool `json:"learning_agreement,omitempty"`
	// LinguisticCents is the linguistic support claimed against receipts
	// (UA-LINGUISTIC).
	LinguisticCents int64 `json:"linguistic_cents,omitempty"`
}

// Mobility is one reported mobility (participant and activity).
type Mobility struct {
	// MobilityID identifies the mobility within its project.
	MobilityID string `json:"mobility_id"`
	// ParticipantID is the pseudonymous participant ID.
	ParticipantID string `json:"participant_id"`
	// Personal is the participant's personal data, kept apart. A command
	// carries it in plain text; the event written to the stream carries it
	// sealed in PersonalSealed instead (schema version 2, PD-SEALED).
	Personal Personal `json:"personal,omitzero"`
	// PersonalSealed is Personal encrypted with the participant's own key
	// (events/pii, PD-SEALED): set in stored events, never in commands.
	PersonalSealed *pii.Sealed `json:"personal_sealed,omitempty"`
	// Activity is the Beneficiary Module activity code (catalog).
	Activity string `json:"activity"`
	// StartDate and EndDate are the activity's first and last days.
	StartDate Date `json:"start_date"`
	EndDate   Date `json:"end_date"`
	// SendingOrganisation and ReceivingOrganisation name the organisations.
	SendingOrganisation   string `json:"sending_organisation"`
	ReceivingOrganisation string `json:"receiving_organisation"`
	// SendingOID is the sending organisation's OID; required in a
	// consortium's project, where it is the coordinator or a member
	// (CONS-MEMBER).
	SendingOID string `json:"sending_oid,omitempty"`
	// SendingCountry is where the participant travels from (ISO code).
	SendingCountry string `json:"sending_country"`
	// ReceivingCountry and ReceivingCity locate the venue.
	ReceivingCountry string `json:"receiving_country"`
	ReceivingCity    string `json:"receiving_city"`
	// DistanceKm is the one-way distance; 0 when Origin and Destination
	// are given instead (the distance is then computed from them).
	DistanceKm  int    `json:"distance_km"`
	Origin      *Place `json:"origin,omitempty"`
	Destination *Place `json:"destination,omitempty"`
	// GreenTravel: bus, train, bike or car-pooling for the main part.
	GreenTravel bool `json:"green_travel,omitempty"`
	// TravelDays are the days spent travelling (besides the activity).
	TravelDays int `json:"travel_days,omitempty"`
	// FewerOpportunities: a participant with fewer opportunities.
	FewerOpportunities bool `json:"fewer_opportunities,omitempty"`
	// InclusionCents is the inclusion support applied for.
	InclusionCents int64 `json:"inclusion_cents,omitempty"`
	// Accompanying: the participant is an accompanying person.
	Accompanying bool `json:"accompanying,omitempty"`
	// GroupID ties the mobilities of one pupil group together.
	GroupID string `json:"group_id,omitempty"`
	// Persons is the number of persons of a preparatory visit (1-3).
	Persons int `json:"persons,omitempty"`
	// CourseFeeDays are the days of course fees claimed.
	CourseFeeDays int `json:"course_fee_days,omitempty"`
	// LinguisticSupport claims general linguistic support: the Online
	// Language Support does not offer the language (BUD-LINGUISTIC).
	LinguisticSupport bool `json:"linguistic_support,omitempty"`
	// RealTravelCostCents is the real travel cost, for exceptional costs.
	RealTravelCostCents int64 `json:"real_travel_cost_cents,omitempty"`
	// Ukraine is set when the mobility uses the Ukraine exception.
	Ukraine *UkraineParticipant `json:"ukraine,omitempty"`
}

// GrantLine is one computed amount of a mobility grant with the rule and
// the explanation behind it.
type GrantLine struct {
	Category    string `json:"category"`
	Rule        string `json:"rule"`
	Explanation string `json:"explanation"`
	AmountCents int64  `json:"amount_cents"`
}

// GrantBreakdown is the explained grant of one mobility.
type GrantBreakdown struct {
	CallYear   int         `json:"call_year"`
	Lines      []GrantLine `json:"lines"`
	TotalCents int64       `json:"total_cents"`
}

// WorkPackage is one work package of a KA210 or KA220 project, with its
// share of the lump sum (KA2-WORK-PACKAGES).
type WorkPackage struct {
	// ID identifies the work package within the project, e.g. "WP1".
	ID string `json:"id"`
	// Title names the work package.
	Title string `json:"title"`
	// ShareCents is the part of the requested lump sum it is given.
	ShareCents int64 `json:"share_cents"`
}

// WorkPackageAssessment is the national office's judgment of one work
// package at the final assessment (KA2-WORK-PACKAGES).
type WorkPackageAssessment struct {
	// ID names a work package of the project.
	ID string `json:"id"`
	// Completed: the work package was carried out as planned.
	Completed bool `json:"completed"`
}

package projections

import "time"

// OrganisationView is one organisation as the read models know it.
type OrganisationView struct {
	// OID is the organisation's ID (e.g. "E10123456").
	OID string `json:"oid"`
	// Name is the organisation's legal name.
	Name string `json:"name"`
	// Country is the ISO 3166 alpha-2 code of its seat (EL for Greece).
	Country string `json:"country"`
	// Kind is the kind of organisation (e.g. "school", "vet-provider").
	Kind string `json:"kind,omitempty"`
	// City is where it is seated, if known.
	City string `json:"city,omitempty"`
	// RegisteredAt is when the organisation was first recorded.
	RegisteredAt time.Time `json:"registered_at"`
	// Accreditations lists its accreditation applications and their outcome.
	Accreditations []AccreditationView `json:"accreditations"`
	// ProjectCount is the number of projects the organisation applied for.
	ProjectCount int `json:"project_count"`
	// Version is the organisation aggregate's version (for If-Match).
	Version uint64 `json:"version"`
	// Sequence is the stream sequence of the last event that changed this view.
	Sequence uint64 `json:"sequence"`
}

// AccreditationView is one accreditation application of an organisation and
// its outcome.
type AccreditationView struct {
	// ID is the accreditation's ID (e.g. "2020-1-FI01-KA120-SCH-000012345").
	ID string `json:"id"`
	// Org is the applicant (the coordinator for a consortium).
	Org string `json:"org"`
	// Field is the field of education: "school", "adult" or "vet".
	Field string `json:"field"`
	// Kind is "single" or "consortium".
	Kind string `json:"kind"`
	// Year is the year of the application (the year of AppliedOn).
	Year int `json:"year"`
	// Status is "applied", "granted", "rejected" or "withdrawn".
	Status string `json:"status"`
	// Outcome is the decision, "granted" or "rejected" (empty while
	// pending); a granted accreditation withdrawn later keeps "granted".
	Outcome string `json:"outcome,omitempty"`
	// PlanFromYear and PlanToYear are the years the Erasmus plan covers.
	PlanFromYear int `json:"plan_from_year,omitempty"`
	PlanToYear   int `json:"plan_to_year,omitempty"`
	// AppliedOn is the date of the application.
	AppliedOn string `json:"applied_on,omitempty"`
	// DecidedOn is the date of the decision, empty while pending.
	DecidedOn string `json:"decided_on,omitempty"`
	// WithdrawnOn is the date a granted accreditation was withdrawn.
	WithdrawnOn string `json:"withdrawn_on,omitempty"`
	// Sequence is the stream sequence of the last event that changed this view.
	Sequence uint64 `json:"sequence"`
}

// ProjectCounts are the counters of a project's mobilities.
type ProjectCounts struct {
	// Mobilities is the number of mobilities not cancelled.
	Mobilities int `json:"mobilities"`
	// Participants is the number of distinct participants of those mobilities.
	Participants int `json:"participants"`
	// CountedMobilities counts the mobilities that count toward the KA122
	// limit (preparatory visits and accompanying persons excluded).
	CountedMobilities int `json:"counted_mobilities"`
	// Cancelled is the number of cancelled mobilities.
	Cancelled int `json:"cancelled"`
	// Payments is the number of payments and recoveries.
	Payments int `json:"payments"`
	// Reports is the number of reports requested or submitted.
	Reports int `json:"reports"`
}

// ProjectView is one project (application, decision, agreement, payments,
// mobilities and reports in summary).
type ProjectView struct {
	// ID is the project number (e.g. "2024-1-FI01-KA122-SCH-000123456").
	ID string `json:"id"`
	// Org is the applicant / beneficiary organisation's OID.
	Org string `json:"org"`
	// Title is the project's title.
	Title string `json:"title,omitempty"`
	// Action is the key action code: KA121, KA122, KA210, KA220, KA202.
	Action string `json:"action"`
	// Field is the field of education: "school", "adult" or "vet".
	Field string `json:"field"`
	// CallYear is the call year whose rules and rates apply.
	CallYear int `json:"call_year"`
	// Round is the application round within the call year (1 or 2).
	Round int `json:"round,omitempty"`
	// Consortium tells an application made by a consortium coordinator.
	Consortium bool `json:"consortium"`
	// Status is the lifecycle state (aggregates.Status*: submitted,
	// withdrawn, eligible, ineligible, approved, reserve-listed, rejected,
	// ongoing, final-report-submitted, final-report-assessed, closed,
	// terminated).
	Status string `json:"status"`
	// Partners are the partner organisations named in the application.
	Partners []PartnerView `json:"partners"`
	// StartDate and EndDate bound the project, once known.
	StartDate string `json:"start_date,omitempty"`
	EndDate   string `json:"end_date,omitempty"`
	// SubmittedOn is the date the application was submitted.
	SubmittedOn string `json:"submitted_on,omitempty"`
	// DecidedOn is the date of the funding decision.
	DecidedOn string `json:"decided_on,omitempty"`
	// SignedOn is the date the grant agreement was signed.
	SignedOn string `json:"signed_on,omitempty"`
	// AgreementNo is the grant agreement's number.
	AgreementNo string `json:"agreement_no,omitempty"`
	// ClosedOn is the date the project was closed or terminated.
	ClosedOn string `json:"closed_on,omitempty"`
	// RequestedCents is the grant applied for.
	RequestedCents int64 `json:"requested_cents"`
	// AwardedCents is the grant awarded (amendments included).
	AwardedCents int64 `json:"awarded_cents"`
	// ReportedCents is the sum of the grants of the reported mobilities.
	ReportedCents int64 `json:"reported_cents"`
	// RemainingCents is AwardedCents - ReportedCents.
	RemainingCents int64 `json:"remaining_cents"`
	// PaidCents is the sum of payments less recoveries.
	PaidCents int64 `json:"paid_cents"`
	// FinalCents is the final grant accepted by the final report's
	// assessment (0 until then).
	FinalCents int64 `json:"final_cents"`
	// UkraineException tells that the Ukraine exception applies (UA-SCOPE).
	UkraineException bool `json:"ukraine_exception"`
	// Counts are the project's counters.
	Counts ProjectCounts `json:"counts"`
	// Version is the project aggregate's version (for If-Match).
	Version uint64 `json:"version"`
	// Sequence is the stream sequence of the last event that changed this view.
	Sequence uint64 `json:"sequence"`
}

// PartnerView is one partner organisation of a project.
type PartnerView struct {
	OID     string `json:"oid,omitempty"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Role    string `json:"role"`
}

// GrantLine is one line of a mobility's grant breakdown.
type GrantLine struct {
	// Category is the budget category: "organisational-support",
	// "individual-support", "travel", "inclusion-support",
	// "preparatory-visit", "course-fees", "linguistic-support",
	// "exceptional-costs".
	Category string `json:"category"`
	// Rule is the rule ID the amount follows (e.g. "BUD-TRAVEL-BAND").
	Rule string `json:"rule,omitempty"`
	// AmountCents is the line's amount.
	AmountCents int64 `json:"amount_cents"`
	// Explanation says how the amount was computed (rates, days, band).
	Explanation string `json:"explanation,omitempty"`
}

// MobilityView is one mobility of a project. The participant appears only
// by a pseudonymous ID; personal data are in ParticipantView.
type MobilityView struct {
	// ID is the mobility's ID, unique within its project.
	ID string `json:"id"`
	// ProjectID is the project it belongs to.
	ProjectID string `json:"project_id"`
	// Org is the beneficiary organisation.
	Org string `json:"org"`
	// ParticipantID is the participant's pseudonymous ID.
	ParticipantID string `json:"participant_id"`
	// Activity is the Beneficiary Module activity code (e.g. "SM-JOB-SHDW").
	Activity string `json:"activity"`
	// SendingCountry and ReceivingCountry are ISO alpha-2 codes.
	SendingCountry   string `json:"sending_country"`
	ReceivingCountry string `json:"receiving_country"`
	// SendingOrg and ReceivingOrg name the organisations, when given.
	SendingOrg   string `json:"sending_org,omitempty"`
	ReceivingOrg string `json:"receiving_org,omitempty"`
	// ReceivingCity is the venue's city.
	ReceivingCity string `json:"receiving_city,omitempty"`
	// StartDate and EndDate bound the activity (travel days excluded).
	StartDate string `json:"start_date"`
	EndDate   string `json:"end_date"`
	// Days is the activity's length, start and end inclusive.
	Days int `json:"days"`
	// TravelDays is the number of funded travel days.
	TravelDays int `json:"travel_days"`
	// DistanceKm is the one-way great-circle distance used for the band.
	DistanceKm int `json:"distance_km"`
	// GreenTravel tells green travel (bus, train, bike, car-pooling).
	GreenTravel bool `json:"green_travel"`
	// FewerOpportunities tells a participant with fewer opportunities.
	FewerOpportunities bool `json:"fewer_opportunities"`
	// UkraineException tells that the mobility uses the Ukraine exception.
	UkraineException bool `json:"ukraine_exception"`
	// Accompanying tells an accompanying person (not counted in KA122-MAX-MOB).
	Accompanying bool `json:"accompanying"`
	// GroupID ties the mobilities of one pupil group together.
	GroupID string `json:"group_id,omitempty"`
	// Persons is the number of persons of a preparatory visit.
	Persons int `json:"persons,omitempty"`
	// CallYear is the call year whose rates computed the grant.
	CallYear int `json:"call_year"`
	// Action is the project's action.
	Action string `json:"action"`
	// Status is "reported", "corrected" or "cancelled".
	Status string `json:"status"`
	// GrantCents is the mobility's grant, the sum of Lines.
	GrantCents int64 `json:"grant_cents"`
	// Lines is the grant breakdown.
	Lines []GrantLine `json:"lines"`
	// ReportedOn is the date the mobility was first reported.
	ReportedOn string `json:"reported_on"`
	// ChangedOn is the date of the last correction or the cancellation.
	ChangedOn string `json:"changed_on,omitempty"`
	// Revision counts the corrections (0 for the first report).
	Revision int `json:"revision"`
	// Sequence is the stream sequence of the last event that changed this view.
	Sequence uint64 `json:"sequence"`
}

// ParticipantView is a participant's personal data. It is kept in its own
// table, shown only to the national office and the beneficiary that
// reported the participant, and never to analysts.
type ParticipantView struct {
	// ID is the pseudonymous ID that mobilities refer to.
	ID string `json:"id"`
	// Org is the organisation that reported the participant; the pair
	// (Org, ID) identifies the participant.
	Org string `json:"org"`
	// FirstName and LastName are the participant's names.
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// BirthDate is the date of birth, if recorded.
	BirthDate string `json:"birth_date,omitempty"`
	// Email is the participant's e-mail address, if recorded.
	Email string `json:"email,omitempty"`
	// Gender is as recorded, if recorded.
	Gender string `json:"gender,omitempty"`
	// Nationality is an ISO alpha-2 code, if recorded.
	Nationality string `json:"nationality,omitempty"`
	// Erased is set once the participant's personal data was erased
	// (PD-ERASE, PD-RETENTION): every personal field is then empty.
	Erased bool `json:"erased,omitempty"`
	// ErasedOn is the day of the erasure.
	ErasedOn string `json:"erased_on,omitempty"`
	// Sequence is the stream sequence of the last event that changed this view.
	Sequence uint64 `json:"sequence"`
}

// PaymentView is one payment to, or recovery from, a beneficiary.
type PaymentView struct {
	// ID is the payment's ID.
	ID string `json:"id"`
	// ProjectID is the project paid.
	ProjectID string `json:"project_id"`
	// Org is the beneficiary.
	Org string `json:"org"`
	// Kind is "pre-financing", "balance" or "recovery".
	Kind string `json:"kind"`
	// AmountCents is the amount, always positive: a recovery is paid back
	// by the beneficiary.
	AmountCents int64 `json:"amount_cents"`
	// NetPaidCents is the net paid to the project after this payment.
	NetPaidCents int64 `json:"net_paid_cents"`
	// PaidOn is the payment's value date.
	PaidOn string `json:"paid_on"`
	// Reason is the reason recorded with the payment.
	Reason string `json:"reason,omitempty"`
	// InstalmentID is the planned instalment a pre-financing pays
	// (BUD-PAYMENTS); empty without a payment plan.
	InstalmentID string `json:"instalment_id,omitempty"`
	// Sequence is the stream sequence of the event that recorded it.
	Sequence uint64 `json:"sequence"`
}

// ReportView is one interim or final report of a project and its state.
type ReportView struct {
	// ID is the report's ID ("final" for the final report).
	ID string `json:"id"`
	// ProjectID is the project reported on.
	ProjectID string `json:"project_id"`
	// Org is the beneficiary.
	Org string `json:"org"`
	// Kind is "interim" or "final".
	Kind string `json:"kind"`
	// Status is "submitted" or "assessed".
	Status string `json:"status"`
	// Summary is the beneficiary's summary.
	Summary string `json:"summary,omitempty"`
	// SubmittedOn is the date the beneficiary submitted it.
	SubmittedOn string `json:"submitted_on"`
	// Late tells a final report submitted more than 60 days after the end.
	Late bool `json:"late,omitempty"`
	// Mobilities is the number of mobilities a final report covers.
	Mobilities int `json:"mobilities,omitempty"`
	// ReportedCents is the total the report claims.
	ReportedCents int64 `json:"reported_cents"`
	// Outcome is the assessment's outcome ("accepted", "reduced"...).
	Outcome string `json:"outcome,omitempty"`
	// AssessedOn is the date of the national office's assessment.
	AssessedOn string `json:"assessed_on,omitempty"`
	// FinalCents is the final grant the assessment accepted.
	FinalCents int64 `json:"final_cents,omitempty"`
	// BalanceCents is what was left to pay (positive) or recover (negative).
	BalanceCents int64 `json:"balance_cents,omitempty"`
	// Score is the quality score given by the assessment, if any.
	Score int `json:"score,omitempty"`
	// Note is the assessment's note.
	Note string `json:"note,omitempty"`
	// Sequence is the stream sequence of the last event that changed this view.
	Sequence uint64 `json:"sequence"`
}

// AuditEntry is one event of the ledger as the audit log shows it.
type AuditEntry struct {
	// Sequence is the global stream sequence.
	Sequence uint64 `json:"sequence"`
	// EventID is the event's UUID.
	EventID string `json:"event_id"`
	// RecordedAt is when the ledger recorded the event.
	RecordedAt time.Time `json:"recorded_at"`
	// OccurredAt is the effective (business) time.
	OccurredAt time.Time `json:"occurred_at"`
	// ActorUser, ActorRole and ActorOrg say who caused the event.
	ActorUser string `json:"actor_user"`
	ActorRole string `json:"actor_role"`
	ActorOrg  string `json:"actor_org,omitempty"`
	// Org is the organisation the aggregate belongs to.
	Org string `json:"org"`
	// AggregateKind and AggregateID name the aggregate.
	AggregateKind string `json:"aggregate_kind"`
	AggregateID   string `json:"aggregate_id"`
	// Version is the event's version within its aggregate.
	Version uint64 `json:"version"`
	// Type is the event type.
	Type string `json:"type"`
	// Summary is a one-line human-readable description.
	Summary string `json:"summary"`
	// Reason is the "why" given with the command.
	Reason string `json:"reason,omitempty"`
	// CorrelationID ties together the events of one request.
	CorrelationID string `json:"correlation_id,omitempty"`
	// Hash and PrevHash are the event's link in its aggregate's hash chain.
	Hash     string `json:"hash"`
	PrevHash string `json:"prev_hash,omitempty"`
}

package rates

// Table is the rates table in force for one call year (BUD-RATES-DATA).
// Every unit cost lives here as data; the HTTP API shows it as JSON
// unchanged. Treat a Table obtained from a Book as read-only.
type Table struct {
	// CallYear is the call year whose projects use this table.
	CallYear int `json:"call_year"`
	// Provenance says where the table's figures come from.
	Provenance
	// Activities lists the Beneficiary Module activity codes this year's
	// rates fund (catalog codes).
	Activities []string `json:"activities"`
	// Travel holds the distance bands and funded travel days.
	Travel Travel `json:"travel"`
	// CountryGroups assigns destination countries to individual-support
	// groups; every programme country of the call year is in exactly one.
	CountryGroups []CountryGroup `json:"country_groups"`
	// PartnerCountryGroup is the group of any country not listed in
	// CountryGroups (partner countries).
	PartnerCountryGroup int `json:"partner_country_group"`
	// IndividualSupport holds the daily rates (BUD-INDIVIDUAL).
	IndividualSupport IndividualSupport `json:"individual_support"`
	// OrganisationalSupport is paid per participant, accompanying persons excluded.
	OrganisationalSupport OrganisationalSupport `json:"organisational_support"`
	// InclusionSupport is paid for participants with fewer opportunities.
	InclusionSupport InclusionSupport `json:"inclusion_support"`
	// CourseFees are paid per course day (ACT-COURSE).
	CourseFees CourseFees `json:"course_fees"`
	// LinguisticSupport is the unit cost for language preparation.
	LinguisticSupport LinguisticSupport `json:"linguistic_support"`
	// PreparatoryVisit is the unit cost per person of a preparatory visit (BUD-PREP-VISIT).
	PreparatoryVisit PreparatoryVisit `json:"preparatory_visit"`
	// ExceptionalTravel holds the expensive-travel percentages (BUD-EXC-TRAVEL).
	ExceptionalTravel ExceptionalTravel `json:"exceptional_travel"`
	// Limits bound the amounts one mobility may claim (INPUT-AMOUNT-RANGE);
	// DefaultLimits when the data names none.
	Limits Limits `json:"limits"`
	// Ukraine holds the Ukraine exception's amounts; nil in call years the
	// exception does not cover (UA-SCOPE).
	Ukraine *Ukraine `json:"ukraine,omitempty"`
	// LumpSumsByAction lists the lump sums per action (KA210-LUMP, KA220-LUMP).
	LumpSumsByAction []LumpSum `json:"lump_sums"`
}

// Provenance marks where figures come from and whether the national office
// has confirmed them.
type Provenance struct {
	// Source names the document the figures come from, or how they were derived.
	Source string `json:"source"`
	// Confirmed is false until the national office confirms the figures.
	Confirmed bool `json:"confirmed"`
}

// Travel holds the travel unit costs of a call year.
type Travel struct {
	Provenance
	// Bands are the one-way distance bands, contiguous and ascending.
	Bands []Band `json:"bands"`
	// OrdinaryTravelDays is the most travel days funded with ordinary travel.
	OrdinaryTravelDays int `json:"ordinary_travel_days"`
	// GreenTravelDays is the most travel days funded with green travel.
	GreenTravelDays int `json:"green_travel_days"`
}

// Band is one travel distance band (BUD-TRAVEL-BAND).
type Band struct {
	// MinKm and MaxKm bound the band inclusively; MaxKm is 0 on the last,
	// open-ended band.
	MinKm int `json:"min_km"`
	MaxKm int `json:"max_km"` // 0: no upper bound
	// StandardCents is the unit cost per participant.
	StandardCents int64 `json:"standard_cents"`
	// GreenCents is the unit cost with green travel; 0 when the band has
	// no green rate (green travel then gets the standard amount).
	GreenCents int64 `json:"green_cents"`
}

// CountryGroup is one individual-support country group.
type CountryGroup struct {
	// Group is the group number, 1 upwards.
	Group int `json:"group"`
	// Countries are EU-style country codes (EL, UK).
	Countries []string `json:"countries"`
}

// IndividualSupport holds the daily individual-support rates (BUD-INDIVIDUAL).
type IndividualSupport struct {
	Provenance
	// ReducedFromDay is the first funded day paid at the reduced rate.
	ReducedFromDay int `json:"reduced_from_day"`
	// ReducedPercent is the reduced rate as a percentage of the daily rate.
	ReducedPercent int `json:"reduced_percent"`
	// Rates has one rate per participant class and country group.
	Rates []DailyRate `json:"rates"`
}

// The participant classes of individual support.
const (
	ClassStaff   = "staff"
	ClassLearner = "learner"
	ClassPupil   = "pupil"
)

// DailyRate is the daily individual support of one participant class in
// one country group.
type DailyRate struct {
	// Class is staff, learner or pupil.
	Class string `json:"class"`
	// Group is the country group.
	Group int `json:"group"`
	// DailyCents is the rate of the days before ReducedFromDay.
	DailyCents int64 `json:"daily_cents"`
	// ReducedDailyCents, when set, is the rate from ReducedFromDay on and
	// replaces ReducedPercent (for years whose guide lists it in euros).
	ReducedDailyCents int64 `json:"reduced_daily_cents,omitempty"`
}

// OrganisationalSupport is paid per participant (accompanying persons excluded).
type OrganisationalSupport struct {
	Provenance
	// PerParticipantCents is the unit cost per participant.
	PerParticipantCents int64 `json:"per_participant_cents"`
	// FullRateParticipants is how many participants of a project get the
	// full rate; 0 means all do.
	FullRateParticipants int `json:"full_rate_participants"`
	// BeyondCents is the unit cost of each participant beyond FullRateParticipants.
	BeyondCents int64 `json:"beyond_cents"`
}

// InclusionSupport is paid for participants with fewer opportunities.
type InclusionSupport struct {
	Provenance
	// PerParticipantCents is the organisations' unit cost per participant
	// with fewer opportunities.
	PerParticipantCents int64 `json:"per_participant_cents"`
	// RealCostPercent is the share of the participant's real inclusion costs paid.
	RealCostPercent int `json:"real_cost_percent"`
}

// CourseFees are paid per course day.
type CourseFees struct {
	Provenance
	// PerDayCents is the unit cost per participant per course day.
	PerDayCents int64 `json:"per_day_cents"`
	// MaxDays is the most course-fee days per participant.
	MaxDays int `json:"max_days"`
}

// LinguisticSupport is the unit cost for language preparation when the
// Online Language Support does not cover the language.
type LinguisticSupport struct {
	Provenance
	// PerParticipantCents is the unit cost per participant.
	PerParticipantCents int64 `json:"per_participant_cents"`
	// MinDays is the shortest mobility that may get it.
	MinDays int `json:"min_days"`
}

// PreparatoryVisit is the unit cost of a preparatory visit.
type PreparatoryVisit struct {
	Provenance
	// PerPersonCents is the unit cost per person (travel and stay).
	PerPersonCents int64 `json:"per_person_cents"`
	// MaxPersons is the most persons funded for one visit.
	MaxPersons int `json:"max_persons"`
}

// ExceptionalTravel holds the percentages of BUD-EXC-TRAVEL.
type ExceptionalTravel struct {
	Provenance
	// CoverageBelowPercent: exceptional costs apply only when the standard
	// travel grant covers less than this share of the real travel cost.
	CoverageBelowPercent int `json:"coverage_below_percent"`
	// PaidPercent is the share of the real travel cost then paid.
	PaidPercent int `json:"paid_percent"`
}

// Ukraine holds the amounts of the Ukraine exception (seed 004).
type Ukraine struct {
	Provenance
	// OrganisationalSupportCents is paid per participant (UA-ORG-SUPPORT).
	OrganisationalSupportCents int64 `json:"organisational_support_cents"`
	// LinguisticMaxCents caps linguistic support against receipts (UA-LINGUISTIC).
	LinguisticMaxCents int64 `json:"linguistic_max_cents"`
	// IndividualSupportGroup is the country group whose rate applies (UA-INDIVIDUAL).
	IndividualSupportGroup int `json:"individual_support_group"`
}

// LumpSum lists the lump sums an action may be awarded.
type LumpSum struct {
	// Action is the action code, e.g. "KA210".
	Action string `json:"action"`
	// AmountsCents are the allowed amounts, ascending.
	AmountsCents []int64 `json:"amounts_cents"`
}

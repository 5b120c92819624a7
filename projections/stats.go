package projections

// MobilityStatsRow is one row of the analysts' mobility statistics: the
// counts of one combination of the dimensions. Dimensions left out of
// MobilityStatsFilter.GroupBy are summed over and returned empty (or zero).
type MobilityStatsRow struct {
	CallYear           int    `json:"call_year,omitempty"`
	Action             string `json:"action,omitempty"`
	Field              string `json:"field,omitempty"`
	Activity           string `json:"activity,omitempty"`
	SendingCountry     string `json:"sending_country,omitempty"`
	ReceivingCountry   string `json:"receiving_country,omitempty"`
	GreenTravel        *bool  `json:"green_travel,omitempty"`
	FewerOpportunities *bool  `json:"fewer_opportunities,omitempty"`
	UkraineException   *bool  `json:"ukraine_exception,omitempty"`
	// Mobilities is the number of mobilities (cancelled ones excluded).
	Mobilities int64 `json:"mobilities"`
	// Participants counts the persons of those mobilities who are not
	// accompanying persons (a preparatory visit counts its persons; a
	// person with two mobilities counts twice, as in Erasmus+ statistics).
	Participants int64 `json:"participants"`
	// Accompanying counts the accompanying persons.
	Accompanying int64 `json:"accompanying"`
	// Days is the total of the mobilities' days.
	Days int64 `json:"days"`
	// GrantCents is the total of the mobilities' grants.
	GrantCents int64 `json:"grant_cents"`
	// Saturated marks a row with a sum beyond ±2^53 cents (only events
	// recorded before amounts were bounded can make one): such a sum is
	// given as the bound, not exactly.
	Saturated bool `json:"saturated,omitempty"`
}

// The dimensions a MobilityStatsFilter may group by.
const (
	DimCallYear           = "call_year"
	DimAction             = "action"
	DimField              = "field"
	DimActivity           = "activity"
	DimSendingCountry     = "sending_country"
	DimReceivingCountry   = "receiving_country"
	DimGreenTravel        = "green_travel"
	DimFewerOpportunities = "fewer_opportunities"
	DimUkraineException   = "ukraine_exception"
)

// MobilityDimensions lists every dimension of the mobility statistics.
var MobilityDimensions = []string{
	DimCallYear, DimAction, DimField, DimActivity, DimSendingCountry,
	DimReceivingCountry, DimGreenTravel, DimFewerOpportunities, DimUkraineException,
}

// MobilityStatsFilter selects and groups mobility statistics. Zero values
// select everything.
type MobilityStatsFilter struct {
	CallYear         int
	Action           string
	Field            string
	Activity         string
	SendingCountry   string
	ReceivingCountry string
	// GroupBy names the dimensions (Dim* constants) to keep; empty keeps
	// call year, action and field.
	GroupBy []string
}

// AccreditationStatsRow is one year and field of accreditation applications
// and their outcome: the shape of the figures in docs/rules.md section 7.
type AccreditationStatsRow struct {
	// Year is the call year.
	Year int `json:"year"`
	// Field is the field of education.
	Field string `json:"field"`
	// Applied is the number of applications.
	Applied int64 `json:"applied"`
	// AppliedConsortia is how many of those were consortia.
	AppliedConsortia int64 `json:"applied_consortia"`
	// GrantedOrganisations is the number granted to single organisations.
	GrantedOrganisations int64 `json:"granted_organisations"`
	// GrantedConsortia is the number granted to consortia.
	GrantedConsortia int64 `json:"granted_consortia"`
	// Rejected is the number refused.
	Rejected int64 `json:"rejected"`
	// Pending is the number not yet decided (or withdrawn).
	Pending int64 `json:"pending"`
}

// AccreditationStatsFilter selects accreditation statistics; zero values
// select everything.
type AccreditationStatsFilter struct {
	Year  int
	Field string
}

// ProjectStatsRow counts projects and grants by call year, action, field
// and status.
type ProjectStatsRow struct {
	CallYear       int    `json:"call_year"`
	Action         string `json:"action"`
	Field          string `json:"field"`
	Status         string `json:"status"`
	Projects       int64  `json:"projects"`
	RequestedCents int64  `json:"requested_cents"`
	AwardedCents   int64  `json:"awarded_cents"`
	ReportedCents  int64  `json:"reported_cents"`
	PaidCents      int64  `json:"paid_cents"`
	// Saturated marks a row with a sum beyond ±2^53 cents (only events
	// recorded before amounts were bounded can make one): such a sum is
	// given as the bound, not exactly.
	Saturated bool `json:"saturated,omitempty"`
}

// ProjectStatsFilter selects project statistics; zero values select everything.
type ProjectStatsFilter struct {
	CallYear int
	Action   string
	Field    string
}

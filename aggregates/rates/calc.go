package rates

import "time"

// MobilityInput describes one mobility for the grant calculator.
type MobilityInput struct {
	Activity               string
	Start, End             time.Time
	DestinationCountry     string
	DistanceKm             int
	Green                  bool
	TravelDays             int
	FewerOpportunities     bool
	Accompanying           bool
	CourseFeeDays          int
	RealTravelCostCents    int64
	Ukraine                bool
	UkraineLinguisticCents int64
	InclusionCents         int64
	Persons                int
}

// Line is one computed amount with the rule and explanation behind it.
type Line struct {
	Category    string `json:"category"`
	Rule        string `json:"rule"`
	Explanation string `json:"explanation"`
	AmountCents int64  `json:"amount_cents"`
}

// Breakdown is the explained grant of one mobility.
type Breakdown struct {
	Lines      []Line `json:"lines"`
	TotalCents int64  `json:"total_cents"`
}

// Calculate computes the grant of one mobility.
func (t *Table) Calculate(in MobilityInput) (Breakdown, error) { return Breakdown{}, nil }

package rates

import (
	"time"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
)

// MobilityInput describes one mobility (one participant, or one
// preparatory visit of up to MaxPersons persons) for the grant calculator.
// Field names in errors are the snake_case forms of these names.
type MobilityInput struct {
	// Activity is the Beneficiary Module activity code.
	Activity string
	// Start and End are the first and last activity days (travel days excluded).
	Start, End time.Time
	// DestinationCountry is the venue's country code (GR and GB accepted).
	DestinationCountry string
	// DistanceKm is the one-way great-circle distance from origin to venue.
	DistanceKm int
	// Green is set when the main part of the travel is by low-emission means.
	Green bool
	// TravelDays is the number of travel days claimed for individual support.
	TravelDays int
	// FewerOpportunities marks a participant with fewer opportunities.
	FewerOpportunities bool
	// Accompanying marks an accompanying person (no organisational support).
	Accompanying bool
	// CourseFeeDays is the number of course days claimed (ACT-COURSE).
	CourseFeeDays int
	// RealTravelCostCents is the real travel cost, for exceptional costs (BUD-EXC-TRAVEL).
	RealTravelCostCents int64
	// LinguisticSupport claims general linguistic support: the Online
	// Language Support does not offer the language (BUD-LINGUISTIC).
	LinguisticSupport bool
	// Ukraine marks a mobility under the Ukraine exception.
	Ukraine bool
	// UkraineLinguisticCents is the receipted linguistic cost (UA-LINGUISTIC).
	UkraineLinguisticCents int64
	// InclusionCents is the participant's real inclusion cost claimed.
	InclusionCents int64
	// Persons is the number of persons of a preparatory visit; 0 means 1.
	// Any other mobility is one participant.
	Persons int
	// PriorCourseFeeDays is the course-fee days the same participant's
	// other mobilities in the project already claim: the limit of
	// ACT-COURSE is per participant in one project.
	PriorCourseFeeDays int
	// PriorUkraineLinguisticCents is the linguistic support against
	// receipts already paid to the same participant's other mobilities in
	// the project: the ceiling of UA-LINGUISTIC is per person.
	PriorUkraineLinguisticCents int64
	// PriorParticipants is the number of participants the project counted
	// for organisational support before this one (its own participants
	// reported earlier, accompanying persons and preparatory visits
	// excluded): from the 101st on, the lower rate applies (BUD-ORG-SUPPORT).
	PriorParticipants int
}

// The budget categories (000) of a Line.
const (
	CategoryOrganisational = "organisational_support"
	CategoryIndividual     = "individual_support"
	CategoryTravel         = "travel"
	CategoryInclusion      = "inclusion_support"
	CategoryPrepVisit      = "preparatory_visits"
	CategoryCourseFees     = "course_fees"
	CategoryLinguistic     = "linguistic_support"
	CategoryExceptional    = "exceptional_costs"
)

// Line is one computed amount with the rule and explanation behind it.
type Line struct {
	// Category is the budget category.
	Category string `json:"category"`
	// Rule is the docs/rules.md rule ID the amount follows.
	Rule string `json:"rule"`
	// Explanation tells a beneficiary how the amount was reached.
	Explanation string `json:"explanation"`
	// AmountCents is the amount in euro cents.
	AmountCents int64 `json:"amount_cents"`
}

// Breakdown is the explained grant of one mobility.
type Breakdown struct {
	// Lines are the computed amounts, one per category used.
	Lines []Line `json:"lines"`
	// TotalCents is the sum of the lines.
	TotalCents int64 `json:"total_cents"`
}

func (b *Breakdown) add(category, rule string, cents int64, explanation string) {
	b.Lines = append(b.Lines, Line{Category: category, Rule: rule, Explanation: explanation, AmountCents: cents})
	b.TotalCents = money.SatAdd(b.TotalCents, cents)
}

// checkTotal refuses a breakdown whose lines or total are out of bounds:
// with bounded inputs and rates it cannot happen, but a grant is never
// negative or absurd, whatever the data (INPUT-AMOUNT-RANGE).
func (b *Breakdown) checkTotal() error {
	var sum int64
	for _, l := range b.Lines {
		var ok bool
		if sum, ok = money.Add(sum, l.AmountCents); !ok || l.AmountCents < 0 || l.AmountCents > money.MaxMobilityCents {
			return overflow("")
		}
	}
	if sum != b.TotalCents || sum > money.MaxMobilityCents {
		return overflow("")
	}
	return nil
}

// Calculate computes the grant of one mobility with this year's rates.
// It validates the input first and returns an *apperr.Error naming the
// field at fault (Invalid) or the rule broken (RuleViolation). Organisational
// support is charged at the full per-participant rate up to the project's
// FullRateParticipants-th participant and at the lower rate beyond
// (in.PriorParticipants tells which participant of the project this is).
func (t *Table) Calculate(in MobilityInput) (Breakdown, error) {
	c, err := t.prepare(in)
	if err != nil {
		return Breakdown{}, err
	}
	// Four lines hold a usual mobility (travel, individual, organisational
	// support and one more) in one allocation.
	b := Breakdown{Lines: make([]Line, 0, 4)}
	if c.act.Code == catalog.CodePrepVisit {
		t.prepVisit(&b, c)
		if err := b.checkTotal(); err != nil {
			return Breakdown{}, err
		}
		return b, nil
	}
	if err := t.travel(&b, c); err != nil {
		return Breakdown{}, err
	}
	if err := t.individual(&b, c); err != nil {
		return Breakdown{}, err
	}
	t.organisational(&b, c)
	t.inclusion(&b, c)
	t.courseFees(&b, c)
	t.ukraineLinguistic(&b, c)
	t.linguistic(&b, c)
	if err := b.checkTotal(); err != nil {
		return Breakdown{}, err
	}
	return b, nil
}

package aggregates

import "github.com/erasmus-ledger/grants/events"

func orgRef(oid string) events.Ref {
	return events.Ref{Org: oid, Kind: KindOrganisation, ID: oid}
}

// RegisterOrganisation registers an organisation (beneficiary for its own
// OID, or the national office).
type RegisterOrganisation struct {
	OID       string `json:"oid"`
	LegalName string `json:"legal_name"`
	Country   string `json:"country"`
	City      string `json:"city"`
	// Kind is one of OrganisationKinds().
	Kind string `json:"kind"`
}

// CommandType implements Command.
func (RegisterOrganisation) CommandType() string { return "RegisterOrganisation" }

// Target implements Command.
func (c RegisterOrganisation) Target() events.Ref { return orgRef(c.OID) }

// OrgWide implements Command.
func (RegisterOrganisation) OrgWide() bool { return false }

// Validate checks the fields.
func (c RegisterOrganisation) Validate() error {
	var k check
	k.oid("oid", c.OID)
	k.text("legal_name", c.LegalName, true)
	k.country("country", c.Country)
	k.text("city", c.City, true)
	k.oneOf("kind", c.Kind, OrganisationKinds())
	return k.result()
}

// ApplyForAccreditation applies for an Erasmus accreditation in one field.
type ApplyForAccreditation struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	// Field is vet, school or adult.
	Field string `json:"field"`
	// Kind is single or consortium.
	Kind             string      `json:"kind"`
	Plan             ErasmusPlan `json:"plan"`
	StrategyAttached bool        `json:"strategy_attached"`
}

// CommandType implements Command.
func (ApplyForAccreditation) CommandType() string { return "ApplyForAccreditation" }

// Target implements Command.
func (c ApplyForAccreditation) Target() events.Ref { return orgRef(c.OID) }

// OrgWide implements Command.
func (ApplyForAccreditation) OrgWide() bool { return false }

// Validate checks the fields (the plan's length and content are rule
// ACC-PLAN, checked by Decide).
func (c ApplyForAccreditation) Validate() error {
	var k check
	k.oid("oid", c.OID)
	k.id("accreditation_id", c.AccreditationID)
	k.oneOf("field", c.Field, AccreditationFields())
	k.oneOf("kind", c.Kind, []string{AccreditationSingle, AccreditationConsortium})
	if c.Plan.FromYear < 2000 || c.Plan.FromYear > 2100 {
		k.fail("plan.from_year", "year %d is not plausible", c.Plan.FromYear)
	}
	if c.Plan.ToYear < c.Plan.FromYear || c.Plan.ToYear > 2100 {
		k.fail("plan.to_year", "the plan ends (%d) before it starts (%d)", c.Plan.ToYear, c.Plan.FromYear)
	}
	for i, o := range c.Plan.Objectives {
		f := idx("plan.objectives", i)
		k.text(f+".text", o.Text, true)
		for j, in := range o.Indicators {
			k.text(idx(f+".indicators", j), in, true)
		}
	}
	return k.result()
}

// DecideAccreditation is the national office's decision on an
// accreditation application.
type DecideAccreditation struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	// Outcome is granted or rejected.
	Outcome string `json:"outcome"`
}

// CommandType implements Command.
func (DecideAccreditation) CommandType() string { return "DecideAccreditation" }

// Target implements Command.
func (c DecideAccreditation) Target() events.Ref { return orgRef(c.OID) }

// OrgWide implements Command.
func (DecideAccreditation) OrgWide() bool { return false }

// Validate checks the fields.
func (c DecideAccreditation) Validate() error {
	var k check
	k.oid("oid", c.OID)
	k.id("accreditation_id", c.AccreditationID)
	k.oneOf("outcome", c.Outcome, []string{OutcomeGranted, OutcomeRejected})
	return k.result()
}

// WithdrawAccreditation withdraws a granted accreditation.
type WithdrawAccreditation struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	Reason          string `json:"reason"`
}

// CommandType implements Command.
func (WithdrawAccreditation) CommandType() string { return "WithdrawAccreditation" }

// Target implements Command.
func (c WithdrawAccreditation) Target() events.Ref { return orgRef(c.OID) }

// OrgWide implements Command.
func (WithdrawAccreditation) OrgWide() bool { return false }

// Validate checks the fields.
func (c WithdrawAccreditation) Validate() error {
	var k check
	k.oid("oid", c.OID)
	k.id("accreditation_id", c.AccreditationID)
	k.text("reason", c.Reason, false)
	return k.result()
}

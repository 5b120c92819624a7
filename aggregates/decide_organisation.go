package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func decideRegister(ctx Context, p Portfolio, c RegisterOrganisation) (Event, error) {
	if p.Organisation.Registered {
		return nil, lifecycle("ORG-REGISTERED", "organisation %s is already registered (as %q); an organisation is registered once", c.OID, p.Organisation.LegalName)
	}
	return OrganisationRegistered{
		OID: c.OID, LegalName: strings.TrimSpace(c.LegalName), Country: catalog.NormaliseCountry(c.Country),
		City: strings.TrimSpace(c.City), Kind: c.Kind,
	}, nil
}

func requireRegistered(p Portfolio) error {
	if !p.Organisation.Registered {
		return lifecycle("ORG-REGISTERED", "organisation %s is not registered; register it first", p.OID)
	}
	return nil
}

func decideApplyAccreditation(ctx Context, p Portfolio, c ApplyForAccreditation) (Event, error) {
	if err := requireRegistered(p); err != nil {
		return nil, err
	}
	if _, dup := p.Organisation.Accreditations[c.AccreditationID]; dup {
		return nil, duplicate("accreditation_id", "accreditation %s already exists for organisation %s", c.AccreditationID, c.OID)
	}
	day := today(ctx)
	if a, ok := p.Organisation.firstAccreditation(func(a Accreditation) bool {
		return a.Field == c.Field && (a.Status == AccreditationStatusApplied || a.ValidOn(day))
	}); ok {
		return nil, lifecycle("LIFE-ORDER", "organisation %s already has accreditation %s in field %s (%s); apply again only after a rejection or withdrawal", c.OID, a.ID, a.Field, a.Status)
	}
	if years := c.Plan.ToYear - c.Plan.FromYear + 1; years < 2 {
		return nil, apperr.RuleField("ACC-PLAN", "plan.to_year", "an Erasmus plan covers at least two years; this one covers %d (%d-%d)", years, c.Plan.FromYear, c.Plan.ToYear)
	}
	if len(c.Plan.Objectives) == 0 {
		return nil, apperr.RuleField("ACC-PLAN", "plan.objectives", "an Erasmus plan states at least one objective with the indicators that measure it; this plan has none")
	}
	for i, o := range c.Plan.Objectives {
		if len(o.Indicators) == 0 {
			return nil, apperr.RuleField("ACC-PLAN", idx("plan.objectives", i)+".indicators", "every objective of the Erasmus plan is measured by at least one indicator; objective %d has none", i+1)
		}
	}
	return AccreditationApplied{
		OID: c.OID, AccreditationID: c.AccreditationID, Field: c.Field, Kind: c.Kind, Plan: c.Plan,
		StrategyAttached: c.StrategyAttached, AppliedOn: today(ctx),
	}, nil
}

func accreditationOf(p Portfolio, id string) (Accreditation, error) {
	a, ok := p.Organisation.Accreditations[id]
	if !ok {
		return Accreditation{}, apperr.New(apperr.NotFound, "accreditation %s of organisation %s not found", id, p.OID)
	}
	return a, nil
}

func decideAccreditation(ctx Context, p Portfolio, c DecideAccreditation) (Event, error) {
	a, err := accreditationOf(p, c.AccreditationID)
	if err != nil {
		return nil, err
	}
	if a.Status != AccreditationStatusApplied {
		return nil, lifecycle("LIFE-ORDER", "accreditation %s is already %s; only an application awaiting its decision can be decided", a.ID, a.Status)
	}
	if today(ctx).Before(a.AppliedOn) {
		return nil, lifecycle("LIFE-ORDER", "accreditation %s was applied for on %s; it cannot be decided on %s, before it was applied for", a.ID, a.AppliedOn, today(ctx))
	}
	return AccreditationDecided{OID: c.OID, AccreditationID: a.ID, Field: a.Field, Kind: a.Kind, Outcome: c.Outcome, DecidedOn: today(ctx)}, nil
}

func decideWithdrawAccreditation(ctx Context, p Portfolio, c WithdrawAccreditation) (Event, error) {
	a, err := accreditationOf(p, c.AccreditationID)
	if err != nil {
		return nil, err
	}
	if a.Status != AccreditationStatusGranted {
		return nil, lifecycle("LIFE-ORDER", "accreditation %s is %s; only a granted accreditation can be withdrawn", a.ID, a.Status)
	}
	if today(ctx).Before(a.DecidedOn) {
		return nil, lifecycle("LIFE-ORDER", "accreditation %s was granted on %s; it cannot be withdrawn on %s, before it was granted", a.ID, a.DecidedOn, today(ctx))
	}
	return AccreditationWithdrawn{OID: c.OID, AccreditationID: a.ID, Field: a.Field, WithdrawnOn: today(ctx), Reason: strings.TrimSpace(c.Reason)}, nil
}

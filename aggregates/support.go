package aggregates

import (
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// supportClaims are what a project's mobilities claim under the support
// the national office decides (BUD-INCLUSION-REQ): participants' real
// inclusion costs and exceptional costs.
type supportClaims struct{ inclusion, exceptional int64 }

// claimsOf returns what mobility m with grant g claims.
func claimsOf(m Mobility, g GrantBreakdown) supportClaims {
	c := supportClaims{inclusion: max(m.InclusionCents, 0)}
	for _, l := range g.Lines {
		if l.Category == rates.CategoryExceptional && l.AmountCents > 0 {
			c.exceptional = money.SatAdd(c.exceptional, l.AmountCents)
		}
	}
	return c
}

// claim adds c to the project's running claims (exactly, or it marks them
// inexact).
func (p *Project) claim(c supportClaims) {
	var ok1, ok2 bool
	p.claimed.inclusion, ok1 = money.Add(p.claimed.inclusion, c.inclusion)
	p.claimed.exceptional, ok2 = money.Add(p.claimed.exceptional, c.exceptional)
	if !ok1 || !ok2 {
		p.claimsInexact = true
	}
}

// unclaim takes c, claimed before, out of the project's running claims.
func (p *Project) unclaim(c supportClaims) {
	var ok1, ok2 bool
	p.claimed.inclusion, ok1 = money.Sub(p.claimed.inclusion, c.inclusion)
	p.claimed.exceptional, ok2 = money.Sub(p.claimed.exceptional, c.exceptional)
	if !ok1 || !ok2 {
		p.claimsInexact = true
	}
}

// projectClaims adds up the claims of pr's mobilities that are not
// cancelled, leaving out mobility skip (the one being corrected): from
// the running claims Evolve keeps, unless a sum once left int64.
func projectClaims(pr Project, skip string) supportClaims {
	if !pr.claimsInexact {
		c := pr.claimed
		if f, ok := pr.facts[skip]; ok && skip != "" && !f.cancelled {
			o := f.claims
			c.inclusion -= o.inclusion
			c.exceptional -= o.exceptional
		}
		return c
	}
	var c supportClaims
	for id, f := range pr.facts {
		if id == skip || f.cancelled {
			continue
		}
		o := f.claims
		c.inclusion = money.SatAdd(c.inclusion, o.inclusion)
		c.exceptional = money.SatAdd(c.exceptional, o.exceptional)
	}
	return c
}

// checkSupportClaims enforces BUD-INCLUSION-REQ on mobility m of project
// pr with grant g: the participants' real inclusion costs and the
// exceptional costs the project's mobilities claim stay within what the
// national office decided (at the award, or later by amendment). Projects
// approved before the rule existed carry no decision and are not limited.
func checkSupportClaims(pr Project, m Mobility, g GrantBreakdown) error {
	if !pr.SupportDecided {
		return nil
	}
	own := claimsOf(m, g)
	if own.inclusion == 0 && own.exceptional == 0 {
		return nil
	}
	before := projectClaims(pr, m.MobilityID)
	if own.inclusion > 0 && money.SatAdd(before.inclusion, own.inclusion) > pr.InclusionSupportCents {
		return apperr.RuleField("BUD-INCLUSION-REQ", "inclusion_cents", "inclusion support is applied for and decided by the national office before it is paid; the office granted project %s %s, its mobilities already claim %s, and this one claims %s",
			pr.ID, euros(pr.InclusionSupportCents), euros(before.inclusion), euros(own.inclusion))
	}
	if own.exceptional > 0 && money.SatAdd(before.exceptional, own.exceptional) > pr.ExceptionalCostsCents {
		return apperr.RuleField("BUD-INCLUSION-REQ", "real_travel_cost_cents", "exceptional costs are applied for and decided by the national office before they are paid; the office granted project %s %s, its mobilities already claim %s, and this one's exceptional costs are %s",
			pr.ID, euros(pr.ExceptionalCostsCents), euros(before.exceptional), euros(own.exceptional))
	}
	return nil
}

// checkSupportAmendment refuses an amendment that would set the decided
// inclusion support or exceptional costs below what the project's
// mobilities already claim (BUD-INCLUSION-REQ).
func checkSupportAmendment(pr Project, c AmendProject) error {
	claimed := projectClaims(pr, "")
	if v := c.InclusionSupportCents; v != nil && *v < claimed.inclusion {
		return apperr.RuleField("BUD-INCLUSION-REQ", "inclusion_support_cents", "the mobilities of project %s already claim %s of inclusion support; the decision cannot go below that (asked: %s)", pr.ID, euros(claimed.inclusion), euros(*v))
	}
	if v := c.ExceptionalCostsCents; v != nil && *v < claimed.exceptional {
		return apperr.RuleField("BUD-INCLUSION-REQ", "exceptional_costs_cents", "the mobilities of project %s already claim %s of exceptional costs; the decision cannot go below that (asked: %s)", pr.ID, euros(claimed.exceptional), euros(*v))
	}
	return nil
}

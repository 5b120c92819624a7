package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// ConsortiumMember is an organisation registered under a consortium
// accreditation (CONS-MEMBER), from AddedOn until RemovedOn (zero: still
// a member).
type ConsortiumMember struct {
	OID       string `json:"oid"`
	AddedOn   Date   `json:"added_on"`
	RemovedOn Date   `json:"removed_on,omitzero"`
}

// MemberOn reports whether oid is a member of the consortium on day d:
// added on or before d and not removed on or before d.
func (a Accreditation) MemberOn(oid string, d Date) bool {
	for _, m := range a.Members {
		if m.OID == oid && !m.AddedOn.After(d) && (m.RemovedOn.IsZero() || m.RemovedOn.After(d)) {
			return true
		}
	}
	return false
}

// currentMember returns the index of oid's current membership, or -1.
func (a Accreditation) currentMember(oid string) int {
	for i, m := range a.Members {
		if m.OID == oid && m.RemovedOn.IsZero() {
			return i
		}
	}
	return -1
}

// Referrer is implemented by a command that names other aggregates which
// must exist in the ledger; the command handler checks them before the
// decision, since one organisation's state does not hold the others.
type Referrer interface {
	// Referenced returns the aggregates named, each with the rule a
	// missing one violates.
	Referenced() []NamedAggregate
}

// NamedAggregate is one aggregate a command names and the rule it falls under.
type NamedAggregate struct {
	Kind, ID, Field, Rule string
}

func decideAddMember(ctx Context, p Portfolio, c AddConsortiumMember) (Event, error) {
	a, err := consortiumOf(p, c.AccreditationID)
	if err != nil {
		return nil, err
	}
	if !a.ValidOn(today(ctx)) {
		return nil, apperr.RuleField("CONS-MEMBER", "accreditation_id", "accreditation %s of %s is %s, not in force on %s; members join a consortium accreditation in force", a.ID, p.OID, a.Status, today(ctx))
	}
	if c.MemberOID == p.OID {
		return nil, apperr.RuleField("CONS-MEMBER", "member_oid", "%s coordinates consortium %s; the coordinator is not a member of its own consortium", p.OID, a.ID)
	}
	if a.currentMember(c.MemberOID) >= 0 {
		return nil, duplicate("member_oid", "%s is already a member of consortium %s", c.MemberOID, a.ID)
	}
	return ConsortiumMemberAdded{OID: p.OID, AccreditationID: a.ID, Field: a.Field, MemberOID: c.MemberOID, AddedOn: today(ctx)}, nil
}

func decideRemoveMember(ctx Context, p Portfolio, c RemoveConsortiumMember) (Event, error) {
	a, err := consortiumOf(p, c.AccreditationID)
	if err != nil {
		return nil, err
	}
	i := a.currentMember(c.MemberOID)
	if i < 0 {
		return nil, apperr.RuleField("CONS-MEMBER", "member_oid", "%s is not a member of consortium %s", c.MemberOID, a.ID)
	}
	if today(ctx).Before(a.Members[i].AddedOn) {
		return nil, lifecycle("LIFE-ORDER", "%s joined consortium %s on %s; it cannot leave on %s, before it joined", c.MemberOID, a.ID, a.Members[i].AddedOn, today(ctx))
	}
	return ConsortiumMemberRemoved{OID: p.OID, AccreditationID: a.ID, Field: a.Field, MemberOID: c.MemberOID, RemovedOn: today(ctx), Reason: strings.TrimSpace(c.Reason)}, nil
}

// consortiumOf returns the organisation's consortium accreditation id.
func consortiumOf(p Portfolio, id string) (Accreditation, error) {
	a, err := accreditationOf(p, id)
	if err != nil {
		return a, err
	}
	if a.Kind != AccreditationConsortium {
		return a, apperr.RuleField("CONS-MEMBER", "accreditation_id", "accreditation %s of %s is for a single organisation; only a consortium accreditation has members", a.ID, p.OID)
	}
	return a, nil
}

// checkSendingMember enforces CONS-MEMBER on a mobility of a consortium
// project: its sending organisation is the coordinator or a member of the
// coordinator's consortium accreditation in the project's field on the
// mobility's first day.
func checkSendingMember(p Portfolio, pr Project, m Mobility) error {
	if !pr.Consortium {
		return nil
	}
	if m.SendingOID == "" {
		return apperr.RuleField("CONS-MEMBER", "sending_oid", "project %s is a consortium's: name the sending organisation's OID (the coordinator %s or a member of its consortium)", pr.ID, pr.OID)
	}
	if m.SendingOID == pr.OID {
		return nil
	}
	for _, a := range p.Organisation.Accreditations {
		if a.Kind == AccreditationConsortium && a.Field == pr.Field && a.MemberOn(m.SendingOID, m.StartDate) {
			return nil
		}
	}
	return apperr.RuleField("CONS-MEMBER", "sending_oid", "%s is not a member of the consortium of %s in %s on %s, when the mobility starts; only the coordinator and the consortium's members send participants", m.SendingOID, pr.OID, pr.Field, m.StartDate)
}

package aggregates

import "github.com/erasmus-ledger/grants/events"

// AddConsortiumMember registers an organisation of the ledger as a member
// of the coordinator's consortium accreditation (CONS-MEMBER). The
// national office records it: it approves a consortium's composition as
// part of the accreditation it grants.
type AddConsortiumMember struct {
	// OID is the coordinator holding the consortium accreditation.
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	// MemberOID is the organisation joining the consortium.
	MemberOID string `json:"member_oid"`
}

// CommandType implements Command.
func (AddConsortiumMember) CommandType() string { return "AddConsortiumMember" }

// Target implements Command.
func (c AddConsortiumMember) Target() events.Ref { return orgRef(c.OID) }

// OrgWide implements Command.
func (AddConsortiumMember) OrgWide() bool { return false }

// Referenced implements Referrer: the member must be registered.
func (c AddConsortiumMember) Referenced() []NamedAggregate {
	return []NamedAggregate{{Kind: KindOrganisation, ID: c.MemberOID, Field: "member_oid", Rule: "CONS-MEMBER"}}
}

// Validate checks the fields.
func (c AddConsortiumMember) Validate() error {
	var k check
	k.oid("oid", c.OID)
	k.id("accreditation_id", c.AccreditationID)
	k.oid("member_oid", c.MemberOID)
	return k.result()
}

// RemoveConsortiumMember ends an organisation's membership of a
// consortium (CONS-MEMBER); its past mobilities stay valid.
type RemoveConsortiumMember struct {
	OID             string `json:"oid"`
	AccreditationID string `json:"accreditation_id"`
	MemberOID       string `json:"member_oid"`
	Reason          string `json:"reason,omitempty"`
}

// CommandType implements Command.
func (RemoveConsortiumMember) CommandType() string { return "RemoveConsortiumMember" }

// Target implements Command.
func (c RemoveConsortiumMember) Target() events.Ref { return orgRef(c.OID) }

// OrgWide implements Command.
func (RemoveConsortiumMember) OrgWide() bool { return false }

// Validate checks the fields.
func (c RemoveConsortiumMember) Validate() error {
	var k check
	k.oid("oid", c.OID)
	k.id("accreditation_id", c.AccreditationID)
	k.oid("member_oid", c.MemberOID)
	k.text("reason", c.Reason, false)
	return k.result()
}

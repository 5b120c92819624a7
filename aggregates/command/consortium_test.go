package command_test

import (
	"context"
	"errors"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// TestCONS_MEMBER_member_registered: a consortium member must be an
// organisation registered in the ledger; the handler checks it, since the
// coordinator's state does not hold the other organisations.
func TestCONS_MEMBER_member_registered(t *testing.T) {
	h, _ := memHandler(t, newClock("2021-06-01T09:00:00Z"))
	const aid, memberOID = "ACC-2021-CONS", "E10000002"
	mustHandle(t, h, school, register())
	mustHandle(t, h, school, aggregates.ApplyForAccreditation{OID: org, AccreditationID: aid, Field: aggregates.FieldSchool, Kind: aggregates.AccreditationConsortium,
		StrategyAttached: true, Plan: aggregates.ErasmusPlan{FromYear: 2021, ToYear: 2027, Objectives: []aggregates.Objective{{Text: "language skills", Indicators: []string{"CEFR levels"}}}}})
	mustHandle(t, h, office, aggregates.DecideAccreditation{OID: org, AccreditationID: aid, Outcome: aggregates.OutcomeGranted})
	add := aggregates.AddConsortiumMember{OID: org, AccreditationID: aid, MemberOID: memberOID}
	_, err := h.Handle(context.Background(), command.Request{Command: add, Actor: office})
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Rule != "CONS-MEMBER" || ae.Field != "member_oid" {
		t.Fatalf("adding an unregistered member: %v, want CONS-MEMBER on member_oid", err)
	}
	mustHandle(t, h, office, aggregates.RegisterOrganisation{OID: memberOID, LegalName: "Toinen koulu", Country: "FI", City: "Espoo", Kind: aggregates.OrgSchool})
	res := mustHandle(t, h, office, add)
	if len(res.Events) != 1 || res.Events[0].Type != "ConsortiumMemberAdded" {
		t.Fatalf("adding a registered member wrote %+v", res.Events)
	}
}

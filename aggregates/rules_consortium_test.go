package aggregates

import (
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
)

const (
	consAccr    = "2021-1-FI01-KA120-SCH-000000009"
	consProject = "2022-1-FI01-KA121-SCH-000000009"
	member      = "E10000002"
	outsider    = "E10000003"
)

// consortium is testOrg coordinating a school consortium accredited on
// 2021-03-01, with the running KA121 consortium project consProject.
func consortium(extra ...Event) []Event {
	sub := submitted(consProject, ActionKA121, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)
	sub.Consortium = true
	return cat(registered(), accredited(consAccr, FieldSchool, AccreditationConsortium, "2021-03-01"),
		[]Event{sub}, running(consProject, 5_000_000, "2022-05-20"), extra)
}

func sentBy(oid string) ReportMobility {
	m := jobShadow("M1")
	m.SendingOID = oid
	return ReportMobility{ProjectID: consProject, Mobility: m}
}

func added(oid, on string) Event {
	return ConsortiumMemberAdded{OID: testOrg, AccreditationID: consAccr, Field: FieldSchool, MemberOID: oid, AddedOn: MustDate(on)}
}

func removed(oid, on string) Event {
	return ConsortiumMemberRemoved{OID: testOrg, AccreditationID: consAccr, Field: FieldSchool, MemberOID: oid, RemovedOn: MustDate(on)}
}

func TestCONS_MEMBER_sending_organisation(t *testing.T) {
	cases := []struct {
		name string
		evs  []Event
		cmd  ReportMobility
		rule string
	}{
		{"CONS-MEMBER the coordinator sends", consortium(), sentBy(testOrg), ""},
		{"CONS-MEMBER a member sends", consortium(added(member, "2022-06-01")), sentBy(member), ""},
		{"CONS-MEMBER a member added on the mobility's first day sends", consortium(added(member, "2022-09-05")), sentBy(member), ""},
		{"CONS-MEMBER a member added the day after the start does not", consortium(added(member, "2022-09-06")), sentBy(member), "CONS-MEMBER"},
		{"CONS-MEMBER an outsider does not", consortium(added(member, "2022-06-01")), sentBy(outsider), "CONS-MEMBER"},
		{"CONS-MEMBER a member removed before the start does not", consortium(added(member, "2022-06-01"), removed(member, "2022-09-05")), sentBy(member), "CONS-MEMBER"},
		{"CONS-MEMBER a member removed after the start still did", consortium(added(member, "2022-06-01"), removed(member, "2022-09-06")), sentBy(member), ""},
		{"CONS-MEMBER a consortium mobility names its sender's OID", consortium(), sentBy(""), "CONS-MEMBER"},
		{"CONS-MEMBER not checked outside a consortium", ka122(), report(jobShadow("M1")), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := testDomain().Decide(officeAt("2022-10-01"), fold(c.evs...), c.cmd)
			if got, _ := ruleOf(err); (err == nil) != (c.rule == "") || got != c.rule {
				t.Fatalf("err = %v, want rule %q", err, c.rule)
			}
		})
	}
}

func TestCONS_MEMBER_add_and_remove(t *testing.T) {
	single := cat(registered(), accredited(consAccr, FieldSchool, AccreditationSingle, "2021-03-01"))
	cases := []struct {
		name string
		evs  []Event
		cmd  Command
		rule string
		code apperr.Code
	}{
		{"CONS-MEMBER an organisation joins", consortium(), AddConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: member}, "", ""},
		{"CONS-MEMBER the coordinator is not its own member", consortium(), AddConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: testOrg}, "CONS-MEMBER", apperr.RuleViolation},
		{"CONS-MEMBER a member joins once", consortium(added(member, "2022-06-01")), AddConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: member}, "", apperr.Conflict},
		{"CONS-MEMBER a removed member joins again", consortium(added(member, "2022-06-01"), removed(member, "2022-07-01")), AddConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: member}, "", ""},
		{"CONS-MEMBER a single organisation's accreditation has no members", single, AddConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: member}, "CONS-MEMBER", apperr.RuleViolation},
		{"CONS-MEMBER a member leaves", consortium(added(member, "2022-06-01")), RemoveConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: member}, "", ""},
		{"CONS-MEMBER a non-member cannot leave", consortium(), RemoveConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: member}, "CONS-MEMBER", apperr.RuleViolation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := testDomain().Decide(officeAt("2022-10-01"), fold(c.evs...), c.cmd)
			rule, code := ruleOf(err)
			if c.code == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if rule != c.rule || code != c.code {
				t.Fatalf("err = %v (rule %q, code %s), want rule %q code %s", err, rule, code, c.rule, c.code)
			}
		})
	}
	// A beneficiary (even the coordinator) may not change the composition.
	_, err := testDomain().Decide(Context{Now: at("2022-10-01"), Actor: beneficiary}, fold(consortium()...), AddConsortiumMember{OID: testOrg, AccreditationID: consAccr, MemberOID: member})
	if rule, code := ruleOf(err); rule != "CORE-TASKS" || code != apperr.Forbidden {
		t.Fatalf("a coordinator adding a member: %v, want CORE-TASKS forbidden", err)
	}
}

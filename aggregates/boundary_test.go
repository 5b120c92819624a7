package aggregates

import "testing"

// TestDecidedAloneOnlyWhereNoRuleReadsTheOrganisation: the org-wide
// commands whose rules read the other projects or the accreditations keep
// the organisation-wide boundary; the others are decided alone.
func TestDecidedAloneOnlyWhereNoRuleReadsTheOrganisation(t *testing.T) {
	p := Portfolio{Projects: map[string]Project{
		"P122": {ID: "P122", Action: ActionKA122},
		"P210": {ID: "P210", Action: ActionKA210},
	}}
	for _, tc := range []struct {
		name  string
		cmd   Command
		alone bool
	}{
		{"KA121-ACCREDITED reads the accreditation and the year's KA121 applications", SubmitApplication{ProjectID: "N", Action: ActionKA121}, false},
		{"CALL-ONE-PER-ROUND and KA122-NOT-ACCREDITED read the organisation", SubmitApplication{ProjectID: "N", Action: ActionKA122}, false},
		{"a KA210 application reads its own project ID alone", SubmitApplication{ProjectID: "N", Action: ActionKA210}, true},
		{"a KA220 application reads its own project ID alone", SubmitApplication{ProjectID: "N", Action: ActionKA220}, true},
		{"KA122-MAX-PROJECTS counts the approved KA122 projects", DecideApplication{ProjectID: "P122", Outcome: OutcomeApproved}, false},
		{"a KA122 rejection reads its project alone", DecideApplication{ProjectID: "P122", Outcome: OutcomeRejected}, true},
		{"a KA210 approval reads its project alone", DecideApplication{ProjectID: "P210", Outcome: OutcomeApproved}, true},
		{"a project not held is not decided alone", DecideApplication{ProjectID: "X", Outcome: OutcomeRejected}, false},
		{"PD-ERASE reads every project", EraseParticipant{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DecidedAlone(p, tc.cmd); got != tc.alone {
				t.Fatalf("DecidedAlone(%T) = %v, want %v", tc.cmd, got, tc.alone)
			}
		})
	}
}

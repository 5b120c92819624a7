package aggregates

import (
	"strings"
	"testing"
)

// TestARefusalNamesTheSameAccreditationEveryTime: with two accreditations
// in force in a field, KA122-NOT-ACCREDITED and LIFE-ORDER name the one
// with the smallest ID, whatever order the portfolio's map is walked in
// (Go walks a map in a new order each time), so that a decision and its
// message do not change between a full and a compact state, or between
// two runs.
func TestARefusalNamesTheSameAccreditationEveryTime(t *testing.T) {
	d := testDomain()
	state := fold(cat(registered(),
		accredited("ACC-B", FieldSchool, AccreditationSingle, "2021-01-15"),
		accredited("ACC-A", FieldSchool, AccreditationConsortium, "2021-03-15"),
		accredited("ACC-C", FieldSchool, AccreditationSingle, "2021-02-15"))...)
	cases := map[string]struct {
		cmd  Command
		rule string
	}{
		"KA122-NOT-ACCREDITED": {submitKA122("P", 1), "KA122-NOT-ACCREDITED"},
		"LIFE-ORDER": {ApplyForAccreditation{OID: testOrg, AccreditationID: "ACC-D", Field: FieldSchool, Kind: AccreditationSingle,
			Plan: ErasmusPlan{FromYear: 2022, ToYear: 2027, Objectives: []Objective{{Text: "o", Indicators: []string{"i"}}}}}, "LIFE-ORDER"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			for range 50 {
				_, err := d.Decide(Context{Now: at("2022-02-01"), Actor: office}, state, c.cmd)
				if rule, _ := ruleOf(err); err == nil || rule != c.rule {
					t.Fatalf("%s: got %v, want a refusal by %s", name, err, c.rule)
				}
				if !strings.Contains(err.Error(), "ACC-A") {
					t.Fatalf("%s: the refusal names another accreditation than ACC-A, the smallest ID: %v", name, err)
				}
			}
		})
	}
}

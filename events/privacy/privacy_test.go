package privacy_test

import (
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events/privacy"
)

// TestStripPersonal (PD-EXPORT-PSEUDONYMOUS): the clear block of schema 1
// and the sealed one of schema 2 go, at any depth; the rest stays in order.
func TestStripPersonal(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"PD-EXPORT-PSEUDONYMOUS/clear block", `{"project_id":"P1","mobility":{"mobility_id":"M1","personal":{"first_name":"Aino","birth_date":"2009-01-02"},"participant_id":"X1"}}`,
			`{"project_id":"P1","mobility":{"mobility_id":"M1","participant_id":"X1"}}`},
		{"PD-EXPORT-PSEUDONYMOUS/sealed block", `{"mobility":{"personal_sealed":{"key":"k1","ciphertext":"AAAA"},"days":5}}`, `{"mobility":{"days":5}}`},
		{"PD-EXPORT-PSEUDONYMOUS/in a list", `{"rows":[{"personal":{"first_name":"A"}},{"n":1.50}]}`, `{"rows":[{},{"n":1.50}]}`},
		{"PD-EXPORT-PSEUDONYMOUS/nothing personal", `{"b":1,"a":"personality"}`, `{"b":1,"a":"personality"}`},
		{"PD-EXPORT-PSEUDONYMOUS/unreadable", `{"personal":`, `null`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := privacy.StripPersonal([]byte(c.in))
			if string(got) != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

// TestPseudonyms: one user one pseudonym within a Pseudonymiser, another
// in another; the service's own actors and no user stay as they are.
func TestPseudonyms(t *testing.T) {
	a, b := privacy.NewPseudonymiser(), privacy.NewPseudonymiser()
	u := "Maija Meikäläinen/tok_0123"
	first := a.User(u)
	if a.User(u) != first || first == b.User(u) || !strings.HasPrefix(a.User(u), privacy.PseudonymPrefix) || strings.Contains(a.User(u), "Maija") {
		t.Fatalf("pseudonyms %q %q", a.User(u), b.User(u))
	}
	if a.User("") != "" || a.User("system-deadlines") != "system-deadlines" {
		t.Fatal("the service's own actor or an empty user changed")
	}
}

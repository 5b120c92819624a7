package privacy

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestDisclosePersonal proves PD-DISCLOSE-REASON's form of a disclosed
// payload: the sealed block opened in place, an erased one never opened.
func TestDisclosePersonal(t *testing.T) {
	open := func(sealed []byte) ([]byte, bool, error) {
		var b struct{ Subject string }
		if err := json.Unmarshal(sealed, &b); err != nil {
			return nil, false, err
		}
		switch b.Subject {
		case "o/erased":
			return nil, true, nil
		case "o/broken", "o/v1broken":
			return nil, false, errors.New("key store down")
		}
		return []byte(`{"first_name":"Aino"}`), false, nil
	}
	cases := []struct {
		name, in, want string
		err            bool
	}{
		{"PD-DISCLOSE-REASON/opened", `{"oid":"o","mobility":{"id":"m","personal_sealed":{"alg":"A256GCM","subject":"o/p"},"days":3}}`,
			`{"oid":"o","mobility":{"id":"m","personal":{"first_name":"Aino"},"days":3}}`, false},
		{"PD-ERASE/stays-closed", `{"mobility":{"personal_sealed": {"subject":"o/erased"}}}`, `{"mobility":{"personal_erased":true}}`, false},
		{"PD-ERASE/v1-clear-block-of-an-erased-subject", `{"oid":"o","mobility":{"participant_id":"erased","personal":{"first_name":"Kalle"}}}`,
			`{"oid":"o","mobility":{"participant_id":"erased","personal_erased":true}}`, false},
		{"v1-clear-block-kept", `{"oid":"o","mobility":{"participant_id":"p","personal":{"first_name":"Aino"}}}`,
			`{"oid":"o","mobility":{"participant_id":"p","personal":{"first_name":"Aino"}}}`, false},
		{"no-sealed-member", `{"a":"personal_sealed"}`, `{"a":"personal_sealed"}`, false},
		{"key-store-error", `{"personal_sealed":{"subject":"o/broken"}}`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DisclosePersonal([]byte(c.in), open)
			if c.err {
				if err == nil {
					t.Fatalf("no error, got %s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got %s\nwant %s", got, c.want)
			}
			if strings.Contains(string(got), "A256GCM") {
				t.Fatal("the ciphertext block is left")
			}
		})
	}
}

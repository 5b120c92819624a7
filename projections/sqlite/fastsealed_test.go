package sqlite

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/pii"
)

// TestPDSealedFastPathReadsLikeEncodingJSON proves that the fast reading
// of a sealed block and of the personal data inside it (PD-SEALED) gives
// what encoding/json gives, or an error where it gives one.
func TestPDSealedFastPathReadsLikeEncodingJSON(t *testing.T) {
	sealed := []string{
		`{"alg":"AES-256-GCM","subject":"E1/p1","key_id":"s01","nonce":"AAECAwQFBgcICQoL","ciphertext":"3q2+7w=="}`,
		`{"alg":"AES-256-GCM","subject":"E1/p1","key_id":"s01","key_seq":7,"nonce":"AAECAwQFBgcICQoL","ciphertext":"3q2+7w=="}`,
		`{"alg":"x","key_seq":null}`,
		`{"alg":"x","key_seq":-1}`,
		`{"alg":"x","key_seq":"7"}`,
		`{"alg":"plain-v1","subject":"E1/p\u00e4","plain":"eyJhIjoxfQ==","nonce":null}`,
		`{"ALG":"x","subject":"E1/p1"}`,
		`{"alg":"x","extra":[1,{"b":2}],"subject":"E1/p1"}`,
		`{"alg":"x","nonce":"not base64!"}`,
		`{"alg":"x","subject":"a","subject":null}`,
		`{"alg":1}`,
		`[]`,
	}
	for _, in := range sealed {
		var fast, want pii.Sealed
		errFastPath := decodeSealed([]byte(in), &fast)
		errWant := json.Unmarshal([]byte(in), &want)
		if (errFastPath != nil) != (errWant != nil) || (errWant == nil && !reflect.DeepEqual(fast, want)) {
			t.Errorf("%s: fast %+v (%v), encoding/json %+v (%v)", in, fast, errFastPath, want, errWant)
		}
	}
	personal := []string{
		`{"first_name":"Aino","last_name":"Virtanen","birth_date":"2001-02-03","email":"a@example.org","gender":"female","nationality":"FI"}`,
		`{"first_name":"\u00c5sa","birth_date":null,"nationality":"SE"}`,
		`{"first_name":"A","birth_date":""}`,
		`{"FIRST_NAME":"A"}`,
		`{"first_name":"A","other":{"x":[1,2]}}`,
		`{"first_name":"A","first_name":null}`,
		`{"birth_date":"2001-02-30"}`,
		`{"birth_date":"03.02.2001"}`,
		`{"first_name":5}`,
		`{}`,
	}
	for _, in := range personal {
		var fast mobilityEvent
		fast.Mobility.Personal.BirthDate = "kept on error"
		errFastPath := decodeOpened([]byte(in), &fast)
		var p aggregates.Personal
		errWant := json.Unmarshal([]byte(in), &p)
		if (errFastPath != nil) != (errWant != nil) {
			t.Errorf("%s: fast error %v, encoding/json error %v", in, errFastPath, errWant)
			continue
		}
		if errWant != nil {
			continue
		}
		birth := ""
		if !p.BirthDate.IsZero() {
			birth = p.BirthDate.String()
		}
		got := fast.Mobility.Personal
		if got.FirstName != p.FirstName || got.LastName != p.LastName || got.Email != p.Email || got.Gender != p.Gender ||
			got.Nationality != p.Nationality || got.BirthDate != birth {
			t.Errorf("%s: fast %+v, encoding/json %+v", in, got, p)
		}
	}
}

// checkKept reads the algorithm and subject decodeSealed reads, checks
// the nonce and ciphertext as decodeSealed decodes them, and refuses what
// it cannot read in place.
func TestCheckKeptReadsAsDecodeSealed(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"a block", `{"alg":"A256GCM","subject":"E1/P1","key_id":"s00","nonce":"AAECAwQFBgcICQoL","ciphertext":"3q2+7w=="}`, true},
		{"a block with its key's sequence", `{"alg":"A256GCM","subject":"E1/P1","key_id":"s00","key_seq":42,"nonce":"AAECAwQFBgcICQoL","ciphertext":"3q2+7w=="}`, true},
		{"fields in another order", `{"ciphertext":"3q2+7w==","nonce":"AAECAwQFBgcICQoL","subject":"E1/P1","alg":"A256GCM"}`, true},
		{"a nonce of another size", `{"alg":"A256GCM","subject":"E1/P1","nonce":"AAEC","ciphertext":"3q2+7w=="}`, false},
		{"an escaped text", `{"alg":"A256GCM","subject":"E1/P1","nonce":"AAECAwQFBgcICQoL","ciphertext":"3q2\/7w=="}`, false},
		{"not base64", `{"alg":"A256GCM","subject":"E1/P1","nonce":"AAECAwQFBgcICQoL","ciphertext":"!!"}`, false},
		{"a long ciphertext", `{"alg":"A256GCM","subject":"E1/P1","nonce":"AAECAwQFBgcICQoL","ciphertext":"` + strings.Repeat("3q2+", 100) + `7w=="}`, true},
		{"padding at the end of a piece", `{"alg":"A256GCM","subject":"E1/P1","nonce":"AAECAwQFBgcICQoL","ciphertext":"` + strings.Repeat("3q2+", 63) + `7w==` + strings.Repeat("3q2+", 7) + `"}`, false},
		{"padding inside a long ciphertext", `{"alg":"A256GCM","subject":"E1/P1","nonce":"AAECAwQFBgcICQoL","ciphertext":"` + strings.Repeat("3q2+", 30) + `7w==` + strings.Repeat("3q2+", 70) + `"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alg, subject, ok := checkKept([]byte(tc.in), 12)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			var s pii.Sealed
			if err := decodeSealed([]byte(tc.in), &s); err != nil {
				t.Fatal(err)
			}
			if alg != s.Alg || subject != s.Subject || len(s.Nonce) != 12 {
				t.Fatalf("checkKept: %q %q; decodeSealed: %+v", alg, subject, s)
			}
		})
	}
}

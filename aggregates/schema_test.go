package aggregates

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
)

// TestUpcastPersonalV1 proves PD-SEALED's schema evolution: a version-1
// mobility payload with plain personal data is read as version 2, its
// personal block moved into personal_sealed (AlgPlainV1) and every other
// field kept; a version-2 payload is read as written.
func TestUpcastPersonalV1(t *testing.T) {
	reg := Registry()
	v1 := `{"project_id":"P1","oid":"FI1","action":"KA122","call_year":2024,"mobility":{"mobility_id":"M1","participant_id":"X1","personal":{"first_name":"Aino","birth_date":"2010-01-02"},"activity":"SM-JOB-SHDW","start_date":"2024-03-01","end_date":"2024-03-10"},"days":10,"grant":{"total_cents":5}}`
	for _, typ := range []string{"MobilityReported", "MobilityCorrected"} {
		t.Run("PD-SEALED/v1-"+typ, func(t *testing.T) {
			v, err := reg.Decode(events.Envelope{Type: typ, SchemaVersion: 1, Payload: json.RawMessage(v1)})
			if err != nil {
				t.Fatal(err)
			}
			var m Mobility
			switch e := v.(type) {
			case MobilityReported:
				m = e.Mobility
			case MobilityCorrected:
				m = e.Mobility
			}
			if m.Personal != (Personal{}) || m.PersonalSealed == nil {
				t.Fatalf("personal %+v sealed %+v: want the block moved to personal_sealed", m.Personal, m.PersonalSealed)
			}
			b := m.PersonalSealed
			if b.Alg != pii.AlgPlainV1 || b.Subject != "FI1/X1" || !strings.Contains(string(b.Plain), `"first_name":"Aino"`) {
				t.Fatalf("sealed block %+v", b)
			}
			if m.MobilityID != "M1" || m.Activity != "SM-JOB-SHDW" {
				t.Fatalf("other fields lost: %+v", m)
			}
		})
	}
	t.Run("PD-SEALED/v1-without-personal", func(t *testing.T) {
		payload := strings.Replace(v1, `"personal":{"first_name":"Aino","birth_date":"2010-01-02"},`, `"personal":{},`, 1)
		v, err := reg.Decode(events.Envelope{Type: "MobilityReported", SchemaVersion: 1, Payload: json.RawMessage(payload)})
		if err != nil {
			t.Fatal(err)
		}
		if m := v.(MobilityReported).Mobility; m.PersonalSealed != nil {
			t.Fatalf("an empty block was sealed: %+v", m.PersonalSealed)
		}
	})
	t.Run("PD-SEALED/v2-as-written", func(t *testing.T) {
		v2 := `{"project_id":"P1","oid":"FI1","mobility":{"mobility_id":"M1","participant_id":"X1","personal_sealed":{"alg":"A256GCM","subject":"FI1/X1","key_id":"k","nonce":"AAAA","ciphertext":"AAAA"}}}`
		v, err := reg.Decode(events.Envelope{Type: "MobilityReported", SchemaVersion: 2, Payload: json.RawMessage(v2)})
		if err != nil {
			t.Fatal(err)
		}
		if b := v.(MobilityReported).Mobility.PersonalSealed; b == nil || b.Alg != pii.AlgAES256GCM || b.KeyID != "k" {
			t.Fatalf("sealed block %+v", b)
		}
	})
}

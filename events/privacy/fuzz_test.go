package privacy_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/erasmus-ledger/grants/events/privacy"
)

// withoutPersonal removes the personal members from a decoded value, the
// slow way the byte scanner must agree with.
func withoutPersonal(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if k == "personal" || k == "personal_sealed" {
				continue
			}
			out[k] = withoutPersonal(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutPersonal(x)
		}
		return out
	}
	return v
}

// FuzzStripPersonal (PD-EXPORT-PSEUDONYMOUS): for any JSON payload the
// scanner's output is JSON equal to the payload decoded without its
// personal members.
func FuzzStripPersonal(f *testing.F) {
	for _, s := range []string{
		`{"mobility":{"personal":{"first_name":"A"},"x":1}}`,
		`{"personal":1,"personal_sealed":"x","b":[{"personal":null}]}`,
		`{ "a" : "\"personal\":", "personal" : { "s" : "}" } , "c" : [ ] }`,
		`[{"personal":{}},{"personality":2}]`,
		`{"a":{"personal":[1,{"b":"]"}]}}`,
		`{"person\u0061l":{"first_name":"A"},"b":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var want any
		if json.Unmarshal(in, &want) != nil {
			return
		}
		out, _ := privacy.StripPersonal(in)
		var got any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s -> %s: not JSON: %v", in, out, err)
		}
		if !reflect.DeepEqual(got, withoutPersonal(want)) {
			t.Fatalf("%s -> %s", in, out)
		}
	})
}

package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestObjectMembersSplitAsEncodingJSONDoes: the one-pass splitter gives
// the members (names, raw values, order) encoding/json's tokenizer gives,
// and the same refusals (a name given twice, a name that is not clean
// text), or leaves the object to it.
func TestObjectMembersSplitAsEncodingJSONDoes(t *testing.T) {
	for _, raw := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a":-1.5e3,"b":true,"c":false,"d":null}`,
		`{"a":"x","b":"y \" } ] , \\ z","c":"\u00e9"}`,
		`{ "a" : [1, 2, {"x": [3]}] , "b" : {"c": {"d": "}"}} }`,
		"{\n\t\"mobility\": {\"participant\": {\"name\": \"Äijä\"}, \"days\": 5},\r\n \"n\": 0\n}",
		`{"a":[],"b":{},"c":""}`, `{"a":1,"a":2}`, `{"a\u0062":1}`, `{"a\"b":1}`,
		`{"é":1}`, `{"":1}`, `[1,2]`, `"x"`, `1`, `null`, `{"a":[1,{"b":2}],"c":3}`,
	} {
		t.Run(raw, func(t *testing.T) {
			if !json.Valid([]byte(raw)) {
				t.Fatalf("not valid JSON: %s", raw)
			}
			got, gerr := objectMembers(json.RawMessage(raw), "x")
			want, werr := objectMembersSlow(json.RawMessage(raw), "x")
			if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
				t.Fatalf("error %v, want %v", gerr, werr)
			}
			if len(got) != len(want) {
				t.Fatalf("members %v, want %v", got, want)
			}
			for i := range got {
				if got[i].name != want[i].name || string(got[i].value) != string(want[i].value) {
					t.Fatalf("member %d is %q=%s, want %q=%s", i, got[i].name, got[i].value, want[i].name, want[i].value)
				}
			}
		})
	}
}

// TestSplitObjectLeavesWhatItCannotSplit: escaped names, what is not an
// object and truncated input go to encoding/json.
func TestSplitObjectLeavesWhatItCannotSplit(t *testing.T) {
	for _, raw := range []string{`{"a\u0062":1}`, `[1]`, `1`, `{"a":1`, `{"a":`, `{"a" 1}`, `{"a":1 "b":2}`, ``} {
		if m, ok := splitObject([]byte(raw)); ok {
			t.Errorf("splitObject(%s) = %v, want it left to encoding/json", raw, m)
		}
	}
	if m, ok := splitObject([]byte(`{"a":{"b":[1,"]"]},"c":2}`)); !ok || !reflect.DeepEqual([]string{m[0].name, string(m[0].value), m[1].name, string(m[1].value)}, []string{"a", `{"b":[1,"]"]}`, "c", "2"}) {
		t.Errorf("splitObject = %v, %v", m, ok)
	}
}

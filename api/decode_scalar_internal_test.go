package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
)

// TestDecodeScalarAsEncodingJSONDoes: the scalars decoded without
// encoding/json get the value json.Unmarshal gives (and a date its error),
// and whatever it does not decode it leaves to json.Unmarshal.
func TestDecodeScalarAsEncodingJSONDoes(t *testing.T) {
	type level string
	raws := []string{`"x"`, `""`, `"Äijä 🙂"`, `"a\"b"`, `"\u00e9"`, `0`, `-0`, `42`, `-7`, `300`, `1.5`, `1e2`,
		`9223372036854775808`, `true`, `false`, `null`, `"2022-09-05"`, `"2022-02-30"`, `"x"`, `[1]`, `{"a":1}`,
		"\"Virtanen\xff\"", "\"\xc3\""} // bytes that are not UTF-8: encoding/json makes them U+FFFD
	targets := []func() reflect.Value{
		func() reflect.Value { return reflect.New(reflect.TypeFor[string]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[level]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[int]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[int8]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[int64]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[uint]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[bool]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[float64]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[aggregates.Date]()).Elem() },
		func() reflect.Value { return reflect.New(reflect.TypeFor[*aggregates.Date]()).Elem() },
	}
	for _, raw := range raws {
		for _, target := range targets {
			got, want := target(), target()
			t.Run(fmt.Sprintf("%s into %s", raw, got.Type()), func(t *testing.T) {
				done, gerr := decodeScalar(json.RawMessage(raw), got)
				if !done {
					return // left to json.Unmarshal
				}
				werr := json.Unmarshal([]byte(raw), want.Addr().Interface())
				if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
					t.Fatalf("error %v, want %v", gerr, werr)
				}
				if !reflect.DeepEqual(got.Interface(), want.Interface()) {
					t.Fatalf("decoded %#v, want %#v", got.Interface(), want.Interface())
				}
			})
		}
	}
}

// TestJSONStringAsMarshal: a path value is quoted as json.Marshal quotes it.
func TestJSONStringAsMarshal(t *testing.T) {
	for _, s := range []string{"", "2022-1-FI01-KA122-SCH-000001", "a<b>&c", `q"\`, "é", "\x01", "\xff"} {
		want, _ := json.Marshal(s)
		if got := jsonString(s); string(got) != string(want) {
			t.Errorf("jsonString(%q) = %s, want %s", s, got, want)
		}
	}
}

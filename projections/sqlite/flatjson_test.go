package sqlite

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// TestFlatDecoderCoversTheFrequentEvents: the event types that follow the
// mobility reports in number are read by the fast path, and the ones it
// cannot read are known.
func TestFlatDecoderCoversTheFrequentEvents(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[aggregates.MobilityCancelled](), reflect.TypeFor[aggregates.PaymentRecorded](),
		reflect.TypeFor[aggregates.EligibilityAssessed](), reflect.TypeFor[aggregates.ApplicationDecided](),
		reflect.TypeFor[aggregates.InterimReportSubmitted](), reflect.TypeFor[aggregates.GrantAgreementSigned](),
		reflect.TypeFor[aggregates.ProjectClosed](), reflect.TypeFor[aggregates.FinalReportSubmitted](),
	} {
		if newFlatDecoder(typ) == nil {
			t.Errorf("%s has no fast decoder", typ)
		}
	}
	// A slice of partners is left to encoding/json, and so is the slice of
	// work-package judgments of a final assessment (one event a project,
	// like the application).
	if newFlatDecoder(reflect.TypeFor[aggregates.ApplicationSubmitted]()) != nil {
		t.Error("ApplicationSubmitted got a fast decoder, yet it has a slice field")
	}
	if newFlatDecoder(reflect.TypeFor[aggregates.FinalReportAssessed]()) != nil {
		t.Error("FinalReportAssessed got a fast decoder, yet it has a slice field")
	}
	type embedded struct{ aggregates.ProjectClosed }
	type stringOpt struct {
		N int `json:"n,string"`
	}
	type unmarshaler struct {
		D json.RawMessage `json:"d"`
	}
	for _, v := range []any{embedded{}, stringOpt{}, unmarshaler{}} {
		if newFlatDecoder(reflect.TypeOf(v)) != nil {
			t.Errorf("%T got a fast decoder", v)
		}
	}
}

// TestFlatDecoderReadsLikeEncodingJSON decodes every payload of a
// generated history, and variants of each, with the handlers' decoders and
// with encoding/json, and requires the same value or an error from both:
// the fast path never gives a value encoding/json would not.
func TestFlatDecoderReadsLikeEncodingJSON(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 1500)
	hs := handlers()
	var envs []events.Envelope
	if err := s.Events(context.Background(), 1, 0, func(env events.Envelope) error {
		envs = append(envs, env)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	fastTypes := map[string]int{}
	for _, env := range envs {
		h := hs[env.Type]
		v, err := h.decode(env.Payload)
		if err != nil {
			t.Fatalf("sequence %d: %v", env.Sequence, err)
		}
		if h.release != nil {
			h.release(v)
			continue // a mirror type, checked by the mirror tests
		}
		typ := reflect.TypeOf(v).Elem()
		if newFlatDecoder(typ) == nil {
			continue
		}
		fastTypes[env.Type]++
		if fastTypes[env.Type] > 20 {
			continue
		}
		for _, p := range flatVariants(t, env.Payload) {
			got, gerr := h.decode(p)
			want := reflect.New(typ)
			werr := json.Unmarshal(p, want.Interface())
			if (gerr != nil) != (werr != nil) {
				t.Fatalf("%s %s: fast error %v, encoding/json error %v", env.Type, p, gerr, werr)
			}
			if gerr == nil && !reflect.DeepEqual(got, want.Interface()) {
				t.Fatalf("%s %s:\nfast          %+v\nencoding/json %+v", env.Type, p, got, want.Interface())
			}
		}
	}
	if len(fastTypes) < 5 {
		t.Fatalf("only %v were read by the fast path: the test proves little", fastTypes)
	}
}

// flatVariants returns p and variants of it: each member set to null, to
// values of other types, to an escaped text, its key in upper case, given
// twice, and an unknown member added.
func flatVariants(t *testing.T, p []byte) [][]byte {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(p, &m); err != nil {
		t.Fatal(err)
	}
	out := [][]byte{p, []byte("null"), []byte("[]"), []byte(" " + string(p) + " "), []byte(string(p) + "x")}
	with := func(k string, v json.RawMessage) []byte {
		c := map[string]json.RawMessage{}
		for k2, v2 := range m {
			c[k2] = v2
		}
		c[k] = v
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for k, v := range m {
		for _, alt := range []string{"null", `""`, `"x"`, `"\u00e9\n"`, "0", "-7", "1.5", "1e3", "true", "{}", "[1]", `"2024-02-30"`, `"2024-02-29"`, "99999999999999999999"} {
			out = append(out, with(k, json.RawMessage(alt)))
		}
		out = append(out, []byte(strings.Replace(string(p), `"`+k+`"`, `"`+strings.ToUpper(k)+`"`, 1)))
		dup := `{"` + k + `":` + string(v) + "," + string(p[1:])
		out = append(out, []byte(dup))
		out = append(out, []byte(strings.TrimSuffix(string(p), "}")+`,"`+k+`":null}`))
	}
	out = append(out, with("zz_unknown", json.RawMessage(`{"a":[1,"b",null]}`)))
	return out
}

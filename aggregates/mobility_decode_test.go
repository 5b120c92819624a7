package aggregates_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
)

// sameAsUnmarshal fails t unless DecodeJSON either declines b or decodes
// exactly what json.Unmarshal decodes (and then json.Unmarshal accepts b);
// it reports whether DecodeJSON read b.
func sameAsUnmarshal(t testing.TB, b []byte) bool {
	t.Helper()
	var fast, slow aggregates.MobilityReported
	ok := fast.DecodeJSON(b)
	err := json.Unmarshal(b, &slow)
	if !ok {
		return false
	}
	if err != nil {
		t.Fatalf("DecodeJSON read what json.Unmarshal refuses (%v):\n%s", err, b)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("DecodeJSON read\n%+v\njson.Unmarshal reads\n%+v\nfrom\n%s", fast, slow, b)
	}
	return true
}

// TestMobilityDecodeIsJSONUnmarshal: a report's event read by hand is
// json.Unmarshal's value, on random values as json.Marshal writes them
// (every one without a place read by hand, its escapes and a plain
// personal block too), and on those payloads mutated byte by byte (read by hand only
// when json.Unmarshal reads the same).
func TestMobilityDecodeIsJSONUnmarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 19))
	read, mutatedRead := 0, 0
	inserts := []string{`"`, `\`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, `,`, `0`, `9`, `-`, ` `, `}`, `{`, `]`, `[`, `null`, `true`, `.5`, `e3`, "é", "\xff", "\x01", `,"x":1`, `"a"`}
	for i := range 3000 {
		e := randomReported(r, i%10 == 0)
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if sameAsUnmarshal(t, b) {
			read++
		} else {
			s := string(b)
			if !strings.Contains(s, `"origin"`) && !strings.Contains(s, `"ukraine"`) {
				t.Fatalf("a payload without a place was left to json.Unmarshal:\n%s", b)
			}
		}
		for range 8 {
			m := slices.Clone(b)
			at := r.IntN(len(m) + 1)
			switch r.IntN(4) {
			case 0:
				if at < len(m) {
					m = append(m[:at], m[at+1:]...)
				}
			case 1:
				m = append(m[:at], append([]byte(inserts[r.IntN(len(inserts))]), m[at:]...)...)
			case 2:
				if at < len(m) {
					m[at] = inserts[r.IntN(len(inserts))][0]
				}
			default:
				if j := r.IntN(len(m) + 1); j > at {
					m = append(m[:j:j], m[at:]...) // a span repeated
				}
			}
			if sameAsUnmarshal(t, m) {
				mutatedRead++
			}
		}
	}
	t.Logf("read by hand: %d of 3000 payloads, %d of 24 000 mutated ones", read, mutatedRead)
	if read < 2500 || mutatedRead < 100 {
		t.Fatalf("only %d of 3000 payloads and %d mutated ones were read by hand", read, mutatedRead)
	}
}

// TestRegistryDecodesReportsByHand: the registry reads a report's event by
// hand and still refuses a malformed one with json.Unmarshal's error.
func TestRegistryDecodesReportsByHand(t *testing.T) {
	reg := aggregates.Registry()
	e := randomReported(rand.New(rand.NewPCG(1, 2)), false)
	e.Mobility.Personal = aggregates.Personal{}
	e.Mobility.PersonalSealed = &pii.Sealed{Alg: "A256GCM", Subject: "E1/PT-1", KeySeq: 7, Nonce: []byte{1, 2, 3}}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if !sameAsUnmarshal(t, b) {
		t.Fatalf("not read by hand: %s", b)
	}
	ti, _ := reg.Lookup("MobilityReported")
	env := events.Envelope{Type: "MobilityReported", SchemaVersion: ti.Version, Payload: b}
	got, err := reg.Decode(env)
	if err != nil || !reflect.DeepEqual(got, e) {
		t.Fatalf("Decode = %+v, %v; want %+v", got, err, e)
	}
	env.Payload = []byte(strings.Replace(string(b), `"days":`, `"days":"x",`, 1))
	if _, err := reg.Decode(env); err == nil || !strings.Contains(err.Error(), "decoding MobilityReported") {
		t.Fatalf("a malformed report decoded: %v", err)
	}
}

// FuzzMobilityDecode: whatever the bytes, DecodeJSON reads them as
// json.Unmarshal does or leaves them to it.
func FuzzMobilityDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		b, _ := json.Marshal(randomReported(r, false))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameAsUnmarshal(t, b) })
}

// BenchmarkDecodeReported: a report's event payload read by json.Unmarshal
// and by DecodeJSON.
func BenchmarkDecodeReported(b *testing.B) {
	e := benchReported()
	payload, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v aggregates.MobilityReported
			if err := json.Unmarshal(payload, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v aggregates.MobilityReported
			if !v.DecodeJSON(payload) {
				b.Fatal("not read")
			}
		}
	})
}

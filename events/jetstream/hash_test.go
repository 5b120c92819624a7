package jetstream

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"pgregory.net/rapid"
)

// loud is a payload whose own JSON has blanks and HTML characters, which
// json.Marshal compacts and escapes.
type loud struct{ S string }

func (l loud) MarshalJSON() ([]byte, error) {
	q, _ := json.Marshal(l.S)
	return []byte("{ \"s\" : " + string(q) + " , \"html\": \"<a&b>\" }"), nil
}

type samplePayload struct {
	Text   string            `json:"text"`
	Amount int64             `json:"amount_cents"`
	Tags   []string          `json:"tags"`
	Extra  map[string]string `json:"extra,omitempty"`
	Loud   loud              `json:"loud"`
}

func TestSealMatchesEnvelopeSeal(t *testing.T) {
	text := rapid.OneOf(rapid.String(), rapid.StringMatching(`[A-Za-z0-9 ._:-]{0,20}`), rapid.SampledFrom([]string{"", "<>&", "\u2028\u2029", "\x00\x1f\x7f", "\xff\xfe", "ä\"\\/", "b64:x"}))
	rapid.Check(t, func(rt *rapid.T) {
		p := samplePayload{
			Text: text.Draw(rt, "text"), Amount: rapid.Int64().Draw(rt, "amount"),
			Tags:  rapid.SliceOfN(text, 0, 3).Draw(rt, "tags"),
			Extra: rapid.MapOfN(text, text, 0, 2).Draw(rt, "extra"),
			Loud:  loud{S: text.Draw(rt, "loud")},
		}
		payload, err := json.Marshal(p)
		if err != nil {
			rt.Fatal(err)
		}
		zone := time.FixedZone("z", rapid.IntRange(-12, 12).Draw(rt, "zone")*3600)
		at := time.Unix(rapid.Int64Range(0, 4e9).Draw(rt, "sec"), rapid.Int64Range(0, 999999999).Draw(rt, "nsec")).In(zone)
		e := events.Envelope{
			ID: text.Draw(rt, "id"), Ref: events.Ref{Org: text.Draw(rt, "org"), Kind: text.Draw(rt, "kind"), ID: text.Draw(rt, "aggid")},
			Version: rapid.Uint64().Draw(rt, "version"), Type: text.Draw(rt, "type"), SchemaVersion: rapid.Int().Draw(rt, "schema"),
			OccurredAt: at, RecordedAt: at.Add(time.Duration(rapid.Int64Range(0, 1e15).Draw(rt, "later"))),
			Actor:         events.Actor{UserID: text.Draw(rt, "user"), Role: text.Draw(rt, "role"), Org: text.Draw(rt, "actororg")},
			CorrelationID: text.Draw(rt, "corr"), CausationID: text.Draw(rt, "cause"), IdempotencyKey: text.Draw(rt, "key"),
			Reason: text.Draw(rt, "reason"), Payload: payload,
		}
		if rapid.Bool().Draw(rt, "empty payload") {
			e.Payload = nil
		}
		prev := rapid.OneOf(rapid.Just(""), rapid.StringMatching(`[0-9a-f]{64}`), rapid.String()).Draw(rt, "prev")
		want := e
		want.Seal(prev)
		got := e
		seal(&got, prev)
		if got.Hash != want.Hash || got.PrevHash != want.PrevHash {
			rt.Fatalf("seal differs from Envelope.Seal:\n canonical %s\n want      %s", appendCanonical(nil, &got), want.CanonicalBytes())
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	envs, err := build(benchRegistry(), nil, benchRequest("H", 1, 1, events.Head{}, benchTime))
	if err != nil {
		b.Fatal(err)
	}
	e := envs[0]
	b.Run("Envelope.Seal", func(b *testing.B) {
		for b.Loop() {
			e.Seal(e.PrevHash)
		}
	})
	b.Run("seal", func(b *testing.B) {
		for b.Loop() {
			seal(&e, e.PrevHash)
		}
	})
}

package events

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// oracleCanonical is the canonical form as a struct that encoding/json
// writes: the reference the hand-written encoder must match byte for byte.
type oracleCanonical struct {
	ID             string          `json:"id"`
	Org            string          `json:"org"`
	Kind           string          `json:"kind"`
	AggregateID    string          `json:"aggregate_id"`
	Version        uint64          `json:"version"`
	Type           string          `json:"type"`
	SchemaVersion  int             `json:"schema_version"`
	OccurredAt     string          `json:"occurred_at"`
	RecordedAt     string          `json:"recorded_at"`
	ActorUser      string          `json:"actor_user"`
	ActorRole      string          `json:"actor_role"`
	ActorOrg       string          `json:"actor_org"`
	CorrelationID  string          `json:"correlation_id"`
	CausationID    string          `json:"causation_id"`
	IdempotencyKey string          `json:"idempotency_key"`
	Reason         string          `json:"reason"`
	Payload        json.RawMessage `json:"payload"`
}

func oracle(e Envelope) []byte {
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	b, err := json.Marshal(oracleCanonical{
		ID: e.ID, Org: e.Ref.Org, Kind: e.Ref.Kind, AggregateID: e.Ref.ID,
		Version: e.Version, Type: e.Type, SchemaVersion: e.SchemaVersion,
		OccurredAt: FormatTime(e.OccurredAt), RecordedAt: FormatTime(e.RecordedAt),
		ActorUser: e.Actor.UserID, ActorRole: e.Actor.Role, ActorOrg: e.Actor.Org,
		CorrelationID: e.CorrelationID, CausationID: e.CausationID,
		IdempotencyKey: e.IdempotencyKey, Reason: e.Reason, Payload: payload,
	})
	if err != nil {
		panic(err)
	}
	return b
}

func oracleHash(e Envelope, prev string) string {
	h := sha256.New()
	if p, err := hex.DecodeString(prev); err == nil {
		h.Write(p)
	} else {
		h.Write([]byte(prev))
	}
	h.Write(oracle(e))
	return hex.EncodeToString(h.Sum(nil))
}

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

func TestCanonicalBytesMatchEncodingJSON(t *testing.T) {
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
		e := Envelope{
			ID: text.Draw(rt, "id"), Ref: Ref{Org: text.Draw(rt, "org"), Kind: text.Draw(rt, "kind"), ID: text.Draw(rt, "aggid")},
			Version: rapid.Uint64().Draw(rt, "version"), Type: text.Draw(rt, "type"), SchemaVersion: rapid.Int().Draw(rt, "schema"),
			OccurredAt: at, RecordedAt: at.Add(time.Duration(rapid.Int64Range(0, 1e15).Draw(rt, "later"))),
			Actor:         Actor{UserID: text.Draw(rt, "user"), Role: text.Draw(rt, "role"), Org: text.Draw(rt, "actororg")},
			CorrelationID: text.Draw(rt, "corr"), CausationID: text.Draw(rt, "cause"), IdempotencyKey: text.Draw(rt, "key"),
			Reason: text.Draw(rt, "reason"), Payload: payload,
		}
		if rapid.Bool().Draw(rt, "empty payload") {
			e.Payload = nil
		}
		if rapid.Bool().Draw(rt, "recorded when it occurred") {
			// The same instant, written once and copied (appendCanonical).
			e.RecordedAt = e.OccurredAt.In(time.UTC)
		}
		prev := rapid.OneOf(rapid.Just(""), rapid.StringMatching(`[0-9a-f]{64}`), rapid.String()).Draw(rt, "prev")
		got, want := e.CanonicalBytes(), oracle(e)
		if string(got) != string(want) {
			rt.Fatalf("canonical bytes differ from the encoding/json form:\n got  %s\n want %s", got, want)
		}
		e.Seal(prev)
		if e.PrevHash != prev || e.Hash != oracleHash(e, prev) {
			rt.Fatalf("hash %s is not SHA-256(prev || canonical)", e.Hash)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	e := Envelope{ID: "0190f0c2-0000-7000-8000-000000000000", Ref: Ref{Org: "E10000001", Kind: "project", ID: "2024-1-FI01-KA122-SCH-000000001"},
		Version: 7, Type: "MobilityReported", SchemaVersion: 1, OccurredAt: time.Now(), RecordedAt: time.Now(),
		Actor: Actor{UserID: "u", Role: "beneficiary", Org: "E10000001"}, Payload: json.RawMessage(`{"mobility_id":"M1","amount_cents":148250}`)}
	for b.Loop() {
		e.Seal(e.PrevHash)
	}
}

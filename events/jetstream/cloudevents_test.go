package jetstream

import (
	"encoding/json"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/erasmus-ledger/grants/internal/legacywire"
	"pgregory.net/rapid"
)

// TestCloudEventCarriesEveryFieldVerbatim: wire format 3 round-trips every
// field (free text with line breaks, "b64:" and invalid UTF-8 included),
// the decoded event verifies, and the body is a CloudEvent any JSON tool
// reads by attribute name.
func TestCloudEventCarriesEveryFieldVerbatim(t *testing.T) {
	e := sampleEnvelope()
	e.Sign(storetest.Signer)
	_, body := encodeMsg(&e, 0)
	got, err := DecodeMsg(e.Ref.Subject(), nil, body, e.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reason != e.Reason || got.Actor != e.Actor || got.CorrelationID != e.CorrelationID || got.CausationID != e.CausationID ||
		got.IdempotencyKey != e.IdempotencyKey || got.Version != 3 || got.SchemaVersion != 2 || got.Sequence != 17 ||
		!got.OccurredAt.Equal(e.OccurredAt) || !got.RecordedAt.Equal(e.RecordedAt) || string(got.Payload) != string(e.Payload) ||
		got.KeyID != e.KeyID || got.Signature != e.Signature || !got.HashMatches() || got.ComputeHash() != e.Hash {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
	}
	if err := storetest.KeyRing().Verify(&got); err != nil {
		t.Fatal(err)
	}
	var ce map[string]any
	if err := json.Unmarshal(body, &ce); err != nil {
		t.Fatal(err)
	}
	for _, attr := range []string{"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "schemaversion",
		"aggregate", "aggregateversion", "effectivetime", "actoruser", "actorrole", "actororg", "correlationid", "causationid",
		"idempotencykey", "reason", "prevhash", "hash", "keyid", "signature", "data"} {
		if _, ok := ce[attr]; !ok {
			t.Errorf("the CloudEvent lacks the attribute %q", attr)
		}
	}
	// A body for another aggregate than its subject is refused.
	if _, err := DecodeMsg("grants.E2.project.p-1", nil, body, 1); err == nil {
		t.Fatal("a CloudEvent published on another aggregate's subject was read")
	}
}

func TestCloudEventRoundTripsAnyText(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e := sampleEnvelope()
		e.Reason = rapid.String().Draw(t, "reason")
		e.Actor.UserID = string(rapid.SliceOf(rapid.Byte()).Draw(t, "raw"))
		e.Seal(e.PrevHash)
		_, body := encodeMsg(&e, 0)
		got, err := DecodeMsg(e.Ref.Subject(), nil, body, e.Sequence)
		if err != nil {
			t.Fatal(err)
		}
		if got.Reason != e.Reason || got.Actor != e.Actor || !got.HashMatches() {
			t.Fatalf("round trip of %q / %q: got %q / %q", e.Reason, e.Actor.UserID, got.Reason, got.Actor.UserID)
		}
	})
}

func BenchmarkDecodeCloudEvent(b *testing.B) {
	e := sampleEnvelope()
	e.Sign(storetest.Signer)
	_, body := encodeMsg(&e, 0)
	b.ReportAllocs()
	for b.Loop() {
		got, err := DecodeMsg(e.Ref.Subject(), nil, body, 1)
		if err != nil || got.Version != 3 {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeWireFormat2(b *testing.B) {
	e := sampleEnvelope()
	h := legacywire.Header(&e)
	b.ReportAllocs()
	for b.Loop() {
		got, err := DecodeMsg(e.Ref.Subject(), h, e.Payload, 1)
		if err != nil || got.Version != 3 {
			b.Fatal(err)
		}
	}
}

func BenchmarkHashMatches(b *testing.B) {
	e := sampleEnvelope()
	b.ReportAllocs()
	for b.Loop() {
		if !e.HashMatches() {
			b.Fatal("no match")
		}
	}
}

// plainEnvelope is an event as most are: ASCII metadata, no line breaks.
func plainEnvelope() events.Envelope {
	e := sampleEnvelope()
	e.Actor.UserID, e.CausationID, e.CorrelationID, e.IdempotencyKey = "officer-7", "cmd-0194d2a4", "req-0194d2a4", "3f2a9c0b4d5e6f708192a3b4c5d6e7f8"
	e.Reason = "correction of the end date"
	e.Payload = []byte(`{"project_id":"2024-1-FI01-KA122-SCH-000123456","mobility_id":"M0001","participant":{"id":"P-1","first_name":"Aino"},"start":"2024-05-01","end":"2024-05-31","grant_cents":123456}`)
	e.Seal(e.PrevHash)
	e.Sign(storetest.Signer)
	return e
}

func BenchmarkDecodePlainCloudEvent(b *testing.B) {
	e := plainEnvelope()
	_, body := encodeMsg(&e, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeMsg(e.Ref.Subject(), nil, body, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePlainWireFormat2(b *testing.B) {
	e := plainEnvelope()
	h := legacywire.Header(&e)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeMsg(e.Ref.Subject(), h, e.Payload, 1); err != nil {
			b.Fatal(err)
		}
	}
}

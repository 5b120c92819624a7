package jetstream

import (
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
)

func sampleEnvelope() events.Envelope {
	e := events.Envelope{
		ID: "0194d2a4-7c3e-7b1a-9f00-000000000001", Ref: events.Ref{Org: "E1", Kind: "project", ID: "p-1"},
		Version: 3, Sequence: 17, Type: "test.noted", SchemaVersion: 2,
		OccurredAt: time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC), RecordedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Actor:         events.Actor{UserID: " padded ", Role: "officer", Org: "E1"},
		CorrelationID: "b64:not-really", CausationID: "line\r\nbreak", IdempotencyKey: "tab\tinside",
		Reason: "Correction:\nthe end date was 31 May — ünïcode", Payload: []byte(`{"text":"x"}`),
		PrevHash: strings.Repeat("ab", 32),
	}
	e.Seal(e.PrevHash)
	return e
}

// encodeDecode passes h through the NATS header wire format.
func encodeDecode(t *testing.T, h nats.Header) nats.Header {
	t.Helper()
	var b strings.Builder
	b.WriteString("NATS/1.0\r\n")
	for k, vs := range h {
		for _, v := range vs {
			b.WriteString(k + ": " + v + "\r\n")
		}
	}
	b.WriteString("\r\n")
	out, err := nats.DecodeHeadersMsg([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestHeadersCarryFreeTextVerbatim(t *testing.T) {
	e := sampleEnvelope()
	h := encodeDecode(t, envelopeHeader(&e, 0))
	got, err := DecodeMsg(e.Ref.Subject(), h, e.Payload, e.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reason != e.Reason || got.Actor != e.Actor || got.CorrelationID != e.CorrelationID ||
		got.CausationID != e.CausationID || got.IdempotencyKey != e.IdempotencyKey {
		t.Fatalf("free text changed:\n got %+v\nwant %+v", got, e)
	}
	if got.ComputeHash() != e.Hash || got.PrevHash != e.PrevHash || got.Version != 3 || got.SchemaVersion != 2 || got.Sequence != 17 {
		t.Fatalf("decoded %+v does not verify", got)
	}
	if h.Get(events.HeaderActorRole) != "officer" {
		t.Fatal("a plain value was encoded")
	}
}

func TestHeadersLeaveOutWhatTheyNeedNotSay(t *testing.T) {
	e := sampleEnvelope()
	e.SchemaVersion, e.OccurredAt = 1, e.RecordedAt
	e.Seal(e.PrevHash)
	h := envelopeHeader(&e, 0)
	for _, k := range []string{events.HeaderSchema, events.HeaderOccurredAt} {
		if _, ok := h[k]; ok {
			t.Errorf("header %s written although it says the default", k)
		}
	}
	got, err := DecodeMsg(e.Ref.Subject(), encodeDecode(t, h), e.Payload, e.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ref != e.Ref || got.SchemaVersion != 1 || !got.OccurredAt.Equal(e.RecordedAt) || got.ComputeHash() != e.Hash {
		t.Fatalf("decoded %+v does not verify", got)
	}
	// A recorded past event keeps its effective date apart.
	e.OccurredAt = e.RecordedAt.AddDate(-2, 0, 0)
	e.Seal(e.PrevHash)
	if got, err = DecodeMsg(e.Ref.Subject(), encodeDecode(t, envelopeHeader(&e, 0)), e.Payload, 1); err != nil || !got.OccurredAt.Equal(e.OccurredAt) || got.ComputeHash() != e.Hash {
		t.Fatalf("recorded past event: %+v, %v", got, err)
	}
}

func TestDecodeMsgRefusesBrokenMessages(t *testing.T) {
	e := sampleEnvelope()
	for name, mutate := range map[string]func(nats.Header) string{
		"missing version":      func(h nats.Header) string { h.Del(events.HeaderVersion); return e.Ref.Subject() },
		"missing hash":         func(h nats.Header) string { h.Del(events.HeaderHash); return e.Ref.Subject() },
		"bad version":          func(h nats.Header) string { h.Set(events.HeaderVersion, "three"); return e.Ref.Subject() },
		"bad time":             func(h nats.Header) string { h.Set(events.HeaderRecordedAt, "yesterday"); return e.Ref.Subject() },
		"bad encoding":         func(h nats.Header) string { h.Set(events.HeaderReason, "b64:***"); return e.Ref.Subject() },
		"not an event subject": func(nats.Header) string { return "other.E2.project" },
		"subject too deep":     func(nats.Header) string { return "grants.E2.project.p.1" },
	} {
		t.Run(name, func(t *testing.T) {
			h := envelopeHeader(&e, 0)
			subject := mutate(h)
			if _, err := DecodeMsg(subject, h, e.Payload, 1); err == nil {
				t.Fatal("decoded")
			}
		})
	}
}

func TestAckSequence(t *testing.T) {
	for reply, want := range map[string]uint64{
		"$JS.ACK.GRANTS.c1.1.42.7.1700000000000000000.0":                  42,
		"$JS.ACK.dom.ACCHASH.GRANTS.c1.1.43.7.1700000000000000000.0.rand": 43,
	} {
		if got, err := ackSequence(reply); err != nil || got != want {
			t.Errorf("ackSequence(%q) = %d, %v, want %d", reply, got, err, want)
		}
	}
	for _, bad := range []string{"", "_INBOX.x", "$JS.ACK.GRANTS.c1.1.x.7.1.0"} {
		if _, err := ackSequence(bad); err == nil {
			t.Errorf("ackSequence(%q) accepted", bad)
		}
	}
}

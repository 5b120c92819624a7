package jetstream

import (
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/internal/legacywire"
	"github.com/nats-io/nats.go"
	"pgregory.net/rapid"
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
	return encodeDecodeT(t, h)
}

// encodeDecodeT is encodeDecode for any test handle.
func encodeDecodeT(t interface{ Fatal(...any) }, h nats.Header) nats.Header {
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

func TestWireFormat1HeadersCarryFreeTextVerbatim(t *testing.T) {
	e := sampleEnvelope()
	h := encodeDecode(t, envelopeHeaderV1(&e, 0))
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

func TestWireFormat1HeadersLeaveOutWhatTheyNeedNotSay(t *testing.T) {
	e := sampleEnvelope()
	e.SchemaVersion, e.OccurredAt = 1, e.RecordedAt
	e.Seal(e.PrevHash)
	h := envelopeHeaderV1(&e, 0)
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
	if got, err = DecodeMsg(e.Ref.Subject(), encodeDecode(t, envelopeHeaderV1(&e, 0)), e.Payload, 1); err != nil || !got.OccurredAt.Equal(e.OccurredAt) || got.ComputeHash() != e.Hash {
		t.Fatalf("recorded past event: %+v, %v", got, err)
	}
}

func TestDecodeMsgRefusesBrokenWireFormat1Messages(t *testing.T) {
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
			h := envelopeHeaderV1(&e, 0)
			subject := mutate(h)
			if _, err := DecodeMsg(subject, h, e.Payload, 1); err == nil {
				t.Fatal("decoded")
			}
		})
	}
}

func TestWireFormat2CarriesTheEnvelopeInOneHeader(t *testing.T) {
	e := sampleEnvelope()
	e.Reason = "a|b||c and b64:x, " + e.Reason
	e.Actor.UserID = "user|with|bars"
	e.Seal(e.PrevHash)
	h := legacywire.Header(&e)
	if len(h) != 1 || len(h[events.HeaderEvent]) != 1 {
		t.Fatalf("headers %v: want the one header %s", h, events.HeaderEvent)
	}
	if v := h[events.HeaderEvent][0]; strings.ContainsAny(v, "\r\n") || !strings.HasPrefix(v, "2|"+e.ID+"|3|test.noted|2|") {
		t.Fatalf("header value %q", v)
	}
	got, err := DecodeMsg(e.Ref.Subject(), encodeDecode(t, h), e.Payload, e.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reason != e.Reason || got.Actor != e.Actor || got.CorrelationID != e.CorrelationID ||
		got.CausationID != e.CausationID || got.IdempotencyKey != e.IdempotencyKey || got.Ref != e.Ref {
		t.Fatalf("free text changed:\n got %+v\nwant %+v", got, e)
	}
	if got.ComputeHash() != e.Hash || got.PrevHash != e.PrevHash || got.Version != 3 || got.SchemaVersion != 2 ||
		got.Sequence != 17 || !got.OccurredAt.Equal(e.OccurredAt) || !got.RecordedAt.Equal(e.RecordedAt) {
		t.Fatalf("decoded %+v does not verify", got)
	}
	// The defaults (schema 1, occurred = recorded, no optional fields)
	// leave their fields empty and decode back.
	e = sampleEnvelope()
	e.SchemaVersion, e.OccurredAt = 1, e.RecordedAt
	e.Actor.Org, e.CorrelationID, e.CausationID, e.IdempotencyKey, e.Reason, e.PrevHash = "", "", "", "", "", ""
	e.Seal("")
	h = legacywire.Header(&e)
	if v := h[events.HeaderEvent][0]; !strings.Contains(v, "|test.noted||") || !strings.Contains(v, "Z||b64:") {
		t.Fatalf("defaults written: %q", v)
	}
	if got, err = DecodeMsg(e.Ref.Subject(), encodeDecode(t, h), e.Payload, 1); err != nil ||
		got.SchemaVersion != 1 || !got.OccurredAt.Equal(e.RecordedAt) || got.ComputeHash() != e.Hash {
		t.Fatalf("defaults: %+v, %v", got, err)
	}
}

func TestDecodeMsgRefusesBrokenWireFormat2Messages(t *testing.T) {
	e := sampleEnvelope()
	good := legacywire.Header(&e)[events.HeaderEvent][0]
	field := func(i int, v string) string {
		f := strings.Split(good, "|")
		f[i] = v
		return strings.Join(f, "|")
	}
	for name, value := range map[string]string{
		"too few fields":      strings.Join(strings.Split(good, "|")[:15], "|"),
		"too many fields":     good + "|x",
		"unknown wire format": field(0, "3"),
		"missing event id":    field(1, ""),
		"missing version":     field(2, ""),
		"bad version":         field(2, "three"),
		"missing type":        field(3, ""),
		"bad schema":          field(4, "two"),
		"missing time":        field(5, ""),
		"bad time":            field(5, "yesterday"),
		"bad occurred time":   field(6, "last week"),
		"bad encoding":        field(13, "b64:***"),
		"missing hash":        field(15, ""),
	} {
		t.Run(name, func(t *testing.T) {
			h := nats.Header{events.HeaderEvent: {value}}
			if _, err := DecodeMsg(e.Ref.Subject(), h, e.Payload, 1); err == nil {
				t.Fatalf("decoded %q", value)
			}
		})
	}
	if _, err := DecodeMsg(e.Ref.Subject(), nats.Header{events.HeaderEvent: {good}}, e.Payload, 1); err != nil {
		t.Fatalf("the unbroken header: %v", err)
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

// TestWireFormat2RoundTripsAnyEnvelope: whatever the free text, the one
// header survives the NATS wire format and decodes to the same envelope.
func TestWireFormat2RoundTripsAnyEnvelope(t *testing.T) {
	text := rapid.OneOf(rapid.String(), rapid.StringMatching(`[ |a-z\t\r\n]{0,12}`), rapid.SampledFrom([]string{"", "b64:", "|", " x ", "b64:|"}))
	rapid.Check(t, func(rt *rapid.T) {
		e := sampleEnvelope()
		e.Actor = events.Actor{UserID: text.Draw(rt, "user"), Role: text.Draw(rt, "role"), Org: text.Draw(rt, "org")}
		e.CorrelationID, e.CausationID = text.Draw(rt, "correlation"), text.Draw(rt, "causation")
		e.IdempotencyKey, e.Reason = text.Draw(rt, "key"), text.Draw(rt, "reason")
		e.Type = rapid.StringMatching(`[a-z]+\.[a-z|]+`).Draw(rt, "type")
		e.Seal(e.PrevHash)
		got, err := DecodeMsg(e.Ref.Subject(), encodeDecodeT(rt, legacywire.Header(&e)), e.Payload, e.Sequence)
		if err != nil {
			rt.Fatal(err)
		}
		if got.Actor != e.Actor || got.CorrelationID != e.CorrelationID || got.CausationID != e.CausationID ||
			got.IdempotencyKey != e.IdempotencyKey || got.Reason != e.Reason || got.Type != e.Type || got.ComputeHash() != e.Hash {
			rt.Fatalf("decoded %+v\nwant    %+v", got, e)
		}
	})
}

package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

// TestCommandAnswerEncodedAsJSONMarshalDoes: the command's answer is byte
// for byte what json.Marshal makes of it (a retry's replay and the first
// answer must not differ by encoder), whatever its strings and payloads.
func TestCommandAnswerEncodedAsJSONMarshalDoes(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 0, 0, 123456789, time.UTC)
	ev := func(payload string) EventSummary {
		return EventSummary{ID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Type: "MobilityReported", Version: 7, Sequence: 123456,
			OccurredAt: at, RecordedAt: at.Add(time.Second), Hash: "ab12", Payload: json.RawMessage(payload)}
	}
	ref := events.Ref{Org: "E10000001", Kind: "project", ID: "P-1"}
	for _, tc := range []struct {
		name string
		body CommandResponse
	}{
		{"a plain answer", CommandResponse{Ref: ref, Version: 7, Sequence: 123456, Events: []EventSummary{ev(`{"a":1,"b":"x y","c":[1,2]}`)}}},
		{"several events", CommandResponse{Ref: ref, Version: 8, Sequence: 9, Events: []EventSummary{ev(`{"a":1}`), ev(`{"b":"é"}`)}}},
		{"no events", CommandResponse{Ref: ref, Events: []EventSummary{}}},
		{"nil events", CommandResponse{Ref: ref}},
		{"a replay and a dry run", CommandResponse{Ref: ref, Replayed: true, DryRun: true, Events: []EventSummary{ev(`{}`)}}},
		{"HTML characters in a string", CommandResponse{Ref: events.Ref{Org: "<b>&", Kind: `"k"\`, ID: "\u2028\x01"}, Events: []EventSummary{}}},
		{"HTML characters in a payload", CommandResponse{Ref: ref, Events: []EventSummary{ev(`{"a":"<b>&amp;"}`)}}},
		{"a payload with white space", CommandResponse{Ref: ref, Events: []EventSummary{ev("{ \"a\" : [ 1 , 2 ]\n}")}}},
		{"a payload with U+2028", CommandResponse{Ref: ref, Events: []EventSummary{ev("{\"a\":\"x\u2028y\"}")}}},
		{"escaped quotes in a payload", CommandResponse{Ref: ref, Events: []EventSummary{ev(`{"a":"x\" <y"}`)}}},
		{"a time in another zone", CommandResponse{Ref: ref, Events: []EventSummary{{OccurredAt: at.In(time.FixedZone("EET", 7200)), Payload: json.RawMessage(`1`)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, werr := json.Marshal(tc.body)
			got, gerr := encodeCommandResponse(nil, &tc.body, false)
			if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
				t.Fatalf("got  %s (%v)\nwant %s (%v)", got, gerr, want, werr)
			}
			// Into a recycled buffer (answerBufs) that held a longer answer.
			used := bytes.Repeat([]byte{'x'}, 4096)
			got, gerr = encodeCommandResponse(used[:0], &tc.body, false)
			if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
				t.Fatalf("into a used buffer: got  %s (%v)\nwant %s (%v)", got, gerr, want, werr)
			}
		})
	}
}

// TestMarshalledPayloadsCopiedAsJSONMarshalWouldWrite: a command's own
// events (their payloads json.Marshal's output) are copied unchecked, and
// the answer is still byte for byte json.Marshal's, whatever the payload's
// strings hold (HTML characters, U+2028, quotes, control characters).
func TestMarshalledPayloadsCopiedAsJSONMarshalWouldWrite(t *testing.T) {
	ref := events.Ref{Org: "E10000001", Kind: "project", ID: "P-1"}
	for _, v := range []any{
		map[string]any{"a": 1, "b": "x y", "c": []int{1, 2}},
		map[string]string{"html": "<b>&amp;</b>", "sep": "x\u2028y\u2029", "q": `"\`, "ctl": "\x01\n"},
		struct {
			Name string    `json:"name"`
			Date time.Time `json:"date"`
		}{"Äiti & <lapsi>", time.Date(2026, 12, 7, 14, 0, 0, 5, time.UTC)},
	} {
		payload, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body := CommandResponse{Ref: ref, Version: 3, Sequence: 9, Events: []EventSummary{{ID: "e", Type: "T", Payload: payload}}}
		want, _ := json.Marshal(body)
		got, err := encodeCommandResponse(nil, &body, true)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("got  %s (%v)\nwant %s", got, err, want)
		}
	}
}

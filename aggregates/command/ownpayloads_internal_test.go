package command

import (
	"reflect"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// TestOwnPayloadsOnlyForTheEventsBuiltFromTheDrafts: the handler folds the
// payloads it decided instead of decoding the events it just appended
// only when the store returned exactly those events; the originals of a
// repeated append (recorded by an earlier request) or anything else are
// decoded from the stored JSON.
func TestOwnPayloadsOnlyForTheEventsBuiltFromTheDrafts(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	head := events.Head{Version: 4, Sequence: 40, Hash: "h"}
	ev := aggregates.MobilityReported{ProjectID: "P1", OID: "E1"}
	drafts := []events.Draft{{Payload: ev}, {Payload: ev}}
	stored := func(mod func(i int, e *events.Envelope)) []events.Envelope {
		out := make([]events.Envelope, 2)
		for i := range out {
			out[i] = events.Envelope{Version: head.Version + uint64(i) + 1, Sequence: 50 + uint64(i), SchemaVersion: 1, RecordedAt: now}
			if mod != nil {
				mod(i, &out[i])
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		stored []events.Envelope
		drafts []events.Draft
		own    bool
	}{
		{"the events built from the drafts", stored(nil), drafts, true},
		{"the originals of a repeated append, recorded earlier", stored(func(_ int, e *events.Envelope) { e.RecordedAt = now.Add(-time.Second) }), drafts, false},
		{"events at other versions", stored(func(i int, e *events.Envelope) { e.Version = head.Version + uint64(i) + 2 }), drafts, false},
		{"fewer events than drafts", stored(nil)[:1], drafts, false},
		{"a draft given by pointer", stored(nil), []events.Draft{{Payload: &ev}, {Payload: ev}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ownPayloads(tc.stored, tc.drafts, head, now)
			if (got != nil) != tc.own {
				t.Fatalf("ownPayloads = %v, want own %v", got, tc.own)
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tc.drafts[i].Payload) {
					t.Fatalf("payload %d is %v, want the draft's", i, got[i])
				}
			}
		})
	}
}

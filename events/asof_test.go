package events_test

import (
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

// TestCutOnTwoClocks (ASOF-CLOCK): a history recorded late. Project A's
// v1 is recorded and effective on day 1; its v2 recorded on day 5 takes
// effect on day 2; project B's v1 recorded on day 3 takes effect on day 4
// and its v2, recorded on day 6, back-dated to day 2, follows it. As of
// day 3: the recorded clock holds what was recorded by then (A v1, B v1);
// the effective clock holds A v1 and A v2 (in effect since day 2) and
// nothing of B, whose first event took effect on day 4 (its v2 is cut
// with it: an aggregate's events are folded in order).
func TestCutOnTwoClocks(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 6, d, 12, 0, 0, 0, time.UTC) }
	a, b := events.Ref{Org: "O", Kind: "project", ID: "A"}, events.Ref{Org: "O", Kind: "project", ID: "B"}
	log := []events.Envelope{
		{Sequence: 1, Ref: a, Version: 1, RecordedAt: day(1), OccurredAt: day(1)},
		{Sequence: 2, Ref: b, Version: 1, RecordedAt: day(3), OccurredAt: day(3).Add(24 * time.Hour)},
		{Sequence: 3, Ref: a, Version: 2, RecordedAt: day(5), OccurredAt: day(2)},
		{Sequence: 4, Ref: b, Version: 2, RecordedAt: day(6), OccurredAt: day(2)},
	}
	for _, c := range []struct {
		name string
		at   events.AsOf
		want []uint64
	}{
		{"ASOF-CLOCK/recorded", events.AsOf{At: day(3), Axis: events.Recorded}, []uint64{1, 2}},
		{"ASOF-CLOCK/default is recorded", events.AsOf{At: day(3)}, []uint64{1, 2}},
		{"ASOF-CLOCK/effective", events.AsOf{At: day(3), Axis: events.Effective}, []uint64{1, 3}},
		{"ASOF-CLOCK/sequence", events.AsOf{Sequence: 3}, []uint64{1, 2, 3}},
		{"ASOF-EMPTY/before the first", events.AsOf{At: day(1).Add(-time.Hour), Axis: events.Effective}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			cut := events.NewCut(c.at)
			var got []uint64
			for i := range log {
				if cut.Includes(&log[i]) {
					got = append(got, log[i].Sequence)
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
	if a, ok := events.ParseTimeAxis(""); !ok || a != events.DefaultTimeAxis || events.DefaultTimeAxis != events.Recorded {
		t.Fatal("the default clock is not recorded")
	}
	if _, ok := events.ParseTimeAxis("wall"); ok {
		t.Fatal("an unknown clock was accepted")
	}
}

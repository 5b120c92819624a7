package jetstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// writeNotes appends n events, one per aggregate, the k-th with the text
// note-<k>, and returns the sequence of each text.
func writeNotes(t *testing.T, s events.Store, n int) map[string]uint64 {
	t.Helper()
	seqs := map[string]uint64{}
	for k := 1; k <= n; k++ {
		text := fmt.Sprintf("note-%05d", k)
		envs, err := s.Append(context.Background(), events.AppendRequest{
			Ref:  events.Ref{Org: "E1", Kind: "project", ID: fmt.Sprintf("p%d", k)},
			Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: text}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		seqs[text] = envs[0].Sequence
	}
	return seqs
}

// TestDroppedRecordsNeverHangAReadAndAreNamed proves that a record NATS
// drops (a flipped byte in its block file) is reported as a hole by
// Holes, and that a read of a range ending at or spanning it ends within a
// bound instead of waiting for ever, for the direct-get and the consumer
// paths alike.
func TestDroppedRecordsNeverHangAReadAndAreNamed(t *testing.T) {
	for _, n := range []int{40, 1200} { // direct gets; ordered consumer
		t.Run(fmt.Sprint(n, " events"), func(t *testing.T) {
			dir := t.TempDir()
			s, stop := jstest.Open(t, dir, storetest.Registry())
			seqs := writeNotes(t, s, n)
			stop()
			middle, last := fmt.Sprintf("note-%05d", n/2), fmt.Sprintf("note-%05d", n)
			jstest.FlipByte(t, dir, []byte(middle))
			jstest.FlipByte(t, dir, []byte(last))
			s, stop = jstest.Open(t, dir, storetest.Registry())
			defer stop()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			start := time.Now()
			var got []uint64
			err := s.Events(ctx, 1, 0, func(e events.Envelope) error {
				got = append(got, e.Sequence)
				return nil
			})
			if err != nil {
				t.Fatalf("Events: %v", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Events took %s", took)
			}
			if len(got) != n-2 || got[len(got)-1] != seqs[fmt.Sprintf("note-%05d", n-1)] {
				t.Errorf("Events delivered %d events ending at %d, want %d ending before the last", len(got), got[len(got)-1], n-2)
			}
			holes, err := s.Holes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []events.Hole{{From: seqs[middle], To: seqs[middle]}, {From: seqs[last], To: seqs[last]}}
			if fmt.Sprint(holes) != fmt.Sprint(want) {
				t.Errorf("holes %v, want %v", holes, want)
			}
			if _, found, err := s.NextSequence(ctx, seqs[last]); err != nil || found {
				t.Errorf("NextSequence after the dropped last record: found %v, %v", found, err)
			}
		})
	}
}

// TestSlowReaderIsNotTakenForAStuckStream proves that the bound on a read
// counts the stream's silence, not the caller's: a callback slower than
// the request timeout does not fail the read.
func TestSlowReaderIsNotTakenForAStuckStream(t *testing.T) {
	// The events are written with the default bound (an fsync on a loaded
	// machine may take longer than the short one the read is given).
	dir := t.TempDir()
	s, stop := jstest.Open(t, dir, storetest.Registry())
	writeNotes(t, s, 600)
	stop()
	e, err := jetstream.OpenEmbedded(context.Background(), jetstream.EmbeddedConfig{StoreDir: dir, Port: -1},
		storetest.Registry(), jetstream.Config{RequestTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	n := 0
	release := time.After(1500 * time.Millisecond) // the caller's own slowness, not a wait for a condition
	err = e.Store.Events(context.Background(), 1, 0, func(events.Envelope) error {
		n++
		if n == 300 {
			<-release
		}
		return nil
	})
	if err != nil || n != 600 {
		t.Fatalf("read %d of 600 events: %v", n, err)
	}
}

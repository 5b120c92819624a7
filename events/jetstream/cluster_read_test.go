package jetstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// TestReadRightAfterAnAppendOnAClusterMissesNothing appends event after
// event to an R3 stream on a three-node cluster and reads the stream up to
// each one at once: every read holds every event up to the one just
// acknowledged, although a direct get may be answered by a replica that
// has not applied it yet (about one read in a hundred was, before the
// store read the rest from a consumer).
func TestReadRightAfterAnAppendOnAClusterMissesNothing(t *testing.T) {
	c := natscluster.StartTest(t, natscluster.Config{})
	seed, err := nats.NkeyOptionFromSeed(c.Creds.Serve)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(c.URL(), seed)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := jetstream.Open(ctx, nc, storetest.Registry(), jetstream.Config{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	short := 0
	for k := 1; k <= 500; k++ {
		envs, err := s.Append(ctx, events.AppendRequest{
			Ref:  events.Ref{Org: "E1", Kind: "project", ID: fmt.Sprintf("p%d", k)},
			Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: fmt.Sprint(k)}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		seq, n := envs[0].Sequence, 0
		if err := s.Events(ctx, 1, seq, func(events.Envelope) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if uint64(n) != seq {
			short++
		}
	}
	if short > 0 {
		t.Fatalf("%d of 500 reads right after an acknowledged append missed events", short)
	}
}

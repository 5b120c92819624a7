package jetstream

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"
)

// TestBatchSentAgainWhenServerHasTooManyInFlight fills the server's 50
// in-flight batches of the stream, appends several events, and frees the
// slots once the store has seen the refusal: the append then lands whole.
func TestBatchSentAgainWhenServerHasTooManyInFlight(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env, err := startBench(ctx, t.TempDir(), false, false)
	if err != nil {
		t.Fatal(err)
	}
	defer env.close()
	retried := make(chan error, 100)
	env.store.onBatchRetry = func(err error) { retried <- err }

	var held []string
	for i := range 50 {
		id := nuid.Next()
		m := nats.NewMsg("grants.HOLD.project.p" + strconv.Itoa(i))
		m.Header.Set(headerBatchID, id)
		m.Header.Set(headerBatchSeq, "1")
		if _, err := env.nc.RequestMsg(m, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		held = append(held, id)
	}

	done := make(chan error, 1)
	var envs []events.Envelope
	go func() {
		req := benchRequest("T", 1, 1, events.Head{}, benchTime)
		req.Events = append(req.Events, req.Events[0], req.Events[0])
		var err error
		envs, err = env.store.Append(ctx, req)
		done <- err
	}()
	select {
	case <-retried:
	case err := <-done:
		t.Fatalf("the append ended before the server refused it: %v", err)
	case <-ctx.Done():
		t.Fatal("the store never saw the refusal")
	}
	for i, id := range held {
		// A gap in the batch sequence makes the server drop the batch.
		m := nats.NewMsg("grants.HOLD.project.p" + strconv.Itoa(i))
		m.Header.Set(headerBatchID, id)
		m.Header.Set(headerBatchSeq, "3")
		if _, err := env.nc.RequestMsg(m, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("append after the slots were freed: %v", err)
	}
	if len(envs) != 3 || envs[2].Sequence != envs[0].Sequence+2 {
		t.Fatalf("stored %+v", envs)
	}
	if last, _ := env.store.LastSequence(ctx); last != 3 {
		t.Fatalf("last sequence %d, want only the 3 events of the append", last)
	}
}

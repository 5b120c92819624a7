package jetstream_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// openDurable opens the embedded store with DurabilityFsync on dir and
// returns it with the bucket GRANTS_IDS.
func openDurable(t *testing.T, ctx context.Context, dir string) (*jetstream.Embedded, natsjs.KeyValue) {
	t.Helper()
	e, err := jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{StoreDir: dir, Port: -1}, storetest.Registry(), jetstream.Config{Signer: storetest.Signer})
	if err != nil {
		t.Fatal(err)
	}
	js, err := natsjs.New(e.Conn)
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	kv, err := js.KeyValue(ctx, jetstream.IDsBucket)
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	return e, kv
}

// TestReservationsAboveTheMarkAreTakenAgain: an aggregate's reservation
// goes to disk in the same fsync round as its first events, so a power
// cut can leave events whose reservation was lost. Such a loss (the key
// deleted, the mark below the events) is repaired when the store opens:
// the ID is its organisation's again, and another's first append of it is
// refused.
func TestReservationsAboveTheMarkAreTakenAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	e, kv := openDurable(t, ctx, dir)
	mine := events.Ref{Org: "E10000001", Kind: "project", ID: "P-LOST"}
	envs, err := e.Store.Append(ctx, events.AppendRequest{Ref: mine, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "x"}}}})
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	// The round's mark is written in the background: wait for it, then
	// the power cut: the reservation and that mark lost.
	waitMark(t, ctx, kv, envs[0].Sequence)
	if err := kv.Delete(ctx, "project.P-LOST"); err != nil {
		e.Close()
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "_synced", []byte(strconv.FormatUint(envs[0].Sequence-1, 10))); err != nil {
		e.Close()
		t.Fatal(err)
	}
	e.Close()

	e, kv = openDurable(t, ctx, dir)
	defer e.Close()
	if got, err := kv.Get(ctx, "project.P-LOST"); err != nil || string(got.Value()) != mine.Org {
		t.Fatalf("the reservation after the restart: %v, want %s", err, mine.Org)
	}
	other := events.Ref{Org: "E20000002", Kind: "project", ID: "P-LOST"}
	_, err = e.Store.Append(ctx, events.AppendRequest{Ref: other, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "y"}}}})
	var taken *events.IDTakenError
	if !errors.As(err, &taken) {
		t.Fatalf("another organisation's first append of the repaired ID: %v, want IDTakenError", err)
	}
}

// TestReservationMarkFollowsTheAppends: the group commit records how far
// the reservations are on disk, so that a start after a power cut scans
// only the last writes.
func TestReservationMarkFollowsTheAppends(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, kv := openDurable(t, ctx, t.TempDir())
	defer e.Close()
	var last uint64
	for i := 0; ; i++ {
		ref := events.Ref{Org: "E10000001", Kind: "project", ID: "P-" + strconv.Itoa(i)}
		envs, err := e.Store.Append(ctx, events.AppendRequest{Ref: ref, Meta: events.Meta{RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "x"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			last = envs[0].Sequence
		}
		got, err := kv.Get(ctx, "_synced")
		if err != nil {
			t.Fatal(err)
		}
		if mark, _ := strconv.ParseUint(string(got.Value()), 10, 64); mark >= last {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("the mark stayed below the first append's sequence %d", last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitMark polls the mark until it reaches seq.
func waitMark(t *testing.T, ctx context.Context, kv natsjs.KeyValue, seq uint64) {
	t.Helper()
	for {
		got, err := kv.Get(ctx, "_synced")
		if err != nil {
			t.Fatal(err)
		}
		if mark, _ := strconv.ParseUint(string(got.Value()), 10, 64); mark >= seq {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("the mark stayed below sequence %d", seq)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

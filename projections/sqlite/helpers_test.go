package sqlite

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/internal/history"
	"github.com/erasmus-ledger/grants/projections"
)

// openStore starts an embedded NATS server on a temporary directory and
// opens the JetStream event store on it.
func openStore(t testing.TB, reg *events.Registry) *jetstream.Store {
	return jstest.Store(t, reg)
}

// testCtx returns a context that ends with the test.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openDB opens a live read-model file in the test's directory.
func openDB(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// project runs a projector on db until it has caught up with src (or
// with other, when src is nil).
func catchUp(t testing.TB, db *DB, src *jetstream.Store, cfg ProjectorConfig, other ...projections.Source) uint64 {
	t.Helper()
	p, err := NewProjector(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var from projections.Source = src
	if src == nil {
		from = other[0]
	}
	seq, err := p.CatchUp(testCtx(t), from, Until{})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// sum returns the checksum of db.
func sum(t testing.TB, db *DB) Sum {
	t.Helper()
	s, err := db.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameSums fails the test naming the tables whose checksums differ.
func sameSums(t testing.TB, want, got Sum) {
	t.Helper()
	if want.Total == got.Total {
		return
	}
	for table, h := range want.Tables {
		if got.Tables[table] != h {
			t.Errorf("table %s differs", table)
		}
	}
	t.Fatalf("checksums differ: %s vs %s", want.Total, got.Total)
}

// generate writes a small reproducible history into s.
func generate(t testing.TB, s events.Store, n int) int {
	t.Helper()
	k, err := history.Generate(testCtx(t), s, history.Config{Events: n, Seed: 7, Workers: 1, AppendSize: 50, MobilitiesPerProject: 20})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var testRegistry = aggregates.Registry()

// testTime is the recorded time of hand-written test events.
var testTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// runtimeGosched yields while polling for a condition.
func runtimeGosched() { runtime.Gosched() }

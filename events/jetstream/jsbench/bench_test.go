package jsbench

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

func TestBenchAppendAndReadRun(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	res, err := Append(ctx, Config{Dir: dir, Writers: 4, Events: 400})
	if err != nil {
		t.Fatal(err)
	}
	// A second run on the same directory writes new aggregates.
	if _, err := Append(ctx, Config{Dir: dir, Writers: 4, Events: 100}); err != nil {
		t.Fatalf("second run on the same directory: %v", err)
	}
	if res.RawRate <= 0 || res.StoreRate <= 0 || res.Ratio <= 0 {
		t.Fatalf("benchmark result not filled in: %+v", res)
	}
	t.Log("\n" + res.String())
	rr, err := Read(ctx, Config{Dir: dir, Events: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if rr.Events != 1000 || rr.RawRate <= 0 || rr.StoreRate <= 0 || rr.TCPRate <= 0 {
		t.Fatalf("read result not filled in: %+v", rr)
	}
	t.Log("\n" + rr.String())
}

// benchFixture starts a benchmark environment for b.
func benchFixture(b *testing.B) *benchEnv {
	b.Helper()
	env, err := startBench(context.Background(), b.TempDir(), false, false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(env.close)
	return env
}

// BenchmarkStoreAppend appends single events, 16 writers each on its own aggregate.
func BenchmarkStoreAppend(b *testing.B) {
	env := benchFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	d, err := storeAppend(ctx, env.store, "B", 16, b.N, benchTime)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/d.Seconds(), "events/s")
}

// BenchmarkRawPublish publishes the same messages with plain JetStream.
func BenchmarkRawPublish(b *testing.B) {
	env := benchFixture(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	d, err := rawAppend(ctx, env, "B", 16, b.N, benchTime, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/d.Seconds(), "events/s")
}

// BenchmarkStoreEvents reads 100000 events with Store.Events per iteration.
func BenchmarkStoreEvents(b *testing.B) {
	env := benchFixture(b)
	ctx := context.Background()
	const total = 100000
	if err := fill(ctx, env, total); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := 0
		if err := env.store.Events(ctx, 1, total, func(events.Envelope) error { n++; return nil }); err != nil || n != total {
			b.Fatalf("read %d events: %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawOrderedConsumer reads 100000 messages without decoding.
func BenchmarkRawOrderedConsumer(b *testing.B) {
	env := benchFixture(b)
	ctx := context.Background()
	const total = 100000
	if err := fill(ctx, env, total); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := rawRead(ctx, env, 1, total); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "events/s")
}

var benchTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

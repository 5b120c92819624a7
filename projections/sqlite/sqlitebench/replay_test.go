package sqlitebench

import (
	"context"
	"os"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/internal/history"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// benchStore opens a JetStream store whose replays read over a TCP
// loopback connection (faster than the in-process pipe).
func benchStore(t testing.TB, dir string) *jetstream.Store {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	e, err := jetstream.OpenEmbedded(context.Background(), jetstream.EmbeddedConfig{StoreDir: dir, Port: -1}, aggregates.Registry(), jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e.Store
}

// TestReplayBenchmarkReport runs Replay on GRANTS_BENCH_EVENTS events
// (default: a small smoke run) and logs the rates. GRANTS_BENCH_STORE names
// a JetStream directory to keep the generated history in between runs;
// GRANTS_BENCH_CPUPROFILE a file to write a CPU profile of the benchmark to.
func TestReplayBenchmarkReport(t *testing.T) {
	n := 3000
	if v := os.Getenv("GRANTS_BENCH_EVENTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	s := benchStore(t, os.Getenv("GRANTS_BENCH_STORE"))
	if last, err := s.LastSequence(context.Background()); err != nil {
		t.Fatal(err)
	} else if last < uint64(n) {
		start := time.Now()
		k, err := history.Generate(context.Background(), s, history.Config{Events: n - int(last), Seed: 1, FirstOrg: 10_000_000})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("generated %d events in %s", k, time.Since(start).Round(time.Millisecond))
	}
	if path := os.Getenv("GRANTS_BENCH_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := Replay(context.Background(), s, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.String())
	if res.ReplayRate <= 0 || res.SQLiteRate <= 0 || res.ReadRate <= 0 {
		t.Fatalf("rates not measured: %+v", res)
	}
}

// BenchmarkReplay measures Rebuild of a 20 000-event history per op.
func BenchmarkReplay(b *testing.B) {
	s := benchStore(b, "")
	if _, err := history.Generate(context.Background(), s, history.Config{Events: 20000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	last, _ := s.LastSequence(context.Background())
	dir := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out := dir + "/replay-" + strconv.Itoa(i) + ".db"
		if _, err := sqlite.Rebuild(context.Background(), s, out, sqlite.Until{}, nil); err != nil {
			b.Fatal(err)
		}
		removeDBFiles(out)
	}
	b.ReportMetric(float64(last)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

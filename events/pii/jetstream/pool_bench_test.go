package jetstream_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	ejs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// benchReport is the event of BenchmarkNewSubjectThenEvent: a sealed block.
type benchReport struct {
	Personal pii.Sealed `json:"personal_sealed"`
}

// BenchmarkNewSubjectThenEvent is a durable report of a new participant
// below the HTTP layer: seal with a new subject's key, then append the
// event that carries the block, with --durability=fsync's group commits
// (the key stream's and the event stream's), 4 or 32 writers. own-key stores
// and syncs a key of the subject's own first (two fsync rounds in turn);
// pooled takes a key made durable ahead (the event's round alone). It
// reports the rate and the p50/p99 of one report.
func BenchmarkNewSubjectThenEvent(b *testing.B) {
	for _, c := range []struct {
		name       string
		pooledKeys bool
		writers    int
	}{{"own-key/writers-4", false, 4}, {"pooled/writers-4", true, 4}, {"own-key/writers-32", false, 32}, {"pooled/writers-32", true, 32}} {
		pooledKeys, writers := c.pooledKeys, c.writers
		b.Run(c.name, func(b *testing.B) {
			ctx := context.Background()
			reg := events.NewRegistry()
			reg.Register("bench.reported", 1, benchReport{}, nil)
			emb, err := ejs.OpenEmbedded(ctx, ejs.EmbeddedConfig{StoreDir: b.TempDir(), Port: -1}, reg, ejs.Config{Signer: storetest.Signer})
			if err != nil {
				b.Fatal(err)
			}
			defer emb.Close()
			keys, err := piijs.OpenBounded(ctx, mustJS(b, emb), 1, piijs.CachedKeys)
			if err != nil {
				b.Fatal(err)
			}
			v, _ := pii.NewVault(bytes.Repeat([]byte{1}, pii.KeySize), keys)
			syncer, closeSyncer := ejs.NewGroupSyncer(emb.Server, piijs.KeysStream)
			defer closeSyncer()
			keys.SetSyncer(syncer, syncer)
			if pooledKeys {
				scan := func(context.Context, uint64, func(pii.Sealed) error) (uint64, error) {
					return emb.Store.LastSequence(ctx)
				}
				if err := keys.StartPool(ctx, piijs.PoolConfig{NewKey: v.NewPoolKey, Acked: emb.Store.Acked, Scan: scan}); err != nil {
					b.Fatal(err)
				}
			}
			defer keys.Close()
			at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			var mu sync.Mutex
			var lat []time.Duration
			n := 0
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var head events.Head
					for i := 0; ; i++ {
						mu.Lock()
						if n >= b.N {
							mu.Unlock()
							return
						}
						n++
						mu.Unlock()
						t0 := time.Now()
						blk, err := v.Seal(ctx, pii.Subject{Org: "B", Participant: fmt.Sprint(w, "-", i)}, []byte(`{"last_name":"Bench"}`))
						if err != nil {
							b.Error(err)
							return
						}
						ref := events.Ref{Org: "BENCH", Kind: "project", ID: fmt.Sprint("P", w)}
						envs, err := emb.Store.Append(ctx, events.AppendRequest{Ref: ref, Expected: head,
							Meta:   events.Meta{Actor: events.Actor{UserID: "bench", Role: "officer"}, RecordedAt: at},
							Events: []events.Draft{{Payload: benchReport{Personal: blk}, OccurredAt: at}}})
						if err != nil {
							b.Error(err)
							return
						}
						head = events.HeadOf(envs[0])
						d := time.Since(t0)
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/time.Since(start).Seconds(), "reports/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}

package jetstream

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events"
)

// BenchmarkDurableAppend measures durable appends (the group commit of
// DurabilityFsync) from 32 writers, each on its own aggregate as the HTTP
// benchmark's reports are. On a shared machine compare builds alternately:
// the disk's fsync time varies with the other work on it.
func BenchmarkDurableAppend(b *testing.B) {
	ctx := context.Background()
	e, err := OpenEmbedded(ctx, EmbeddedConfig{StoreDir: b.TempDir()}, benchRegistry(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	const writers = 32
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
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
				envs, err := e.Store.Append(ctx, benchRequest("D", w, i, head, at))
				if err != nil {
					b.Error(err)
					return
				}
				head = events.HeadOf(envs[0])
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "appends/s")
}

// BenchmarkKeyThenEvent measures what a report with a new participant
// waits for: a key written to a bucket and made durable (a group syncer of
// its own, as grants serve's personal-data keys), then the event appended
// and made durable, from 32 writers.
func BenchmarkKeyThenEvent(b *testing.B) {
	ctx := context.Background()
	e, err := OpenEmbedded(ctx, EmbeddedConfig{StoreDir: b.TempDir()}, benchRegistry(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	js, err := natsjs.New(e.Conn)
	if err != nil {
		b.Fatal(err)
	}
	kv, err := js.CreateKeyValue(ctx, natsjs.KeyValueConfig{Bucket: "BENCHKEYS"})
	if err != nil {
		b.Fatal(err)
	}
	keys, closeSyncer := NewGroupSyncer(e.Server, "KV_BENCHKEYS")
	defer closeSyncer()
	const writers = 32
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
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
				if _, err := kv.Create(ctx, fmt.Sprintf("k%d-%d", w, i), make([]byte, 120)); err != nil {
					b.Error(err)
					return
				}
				if err := keys.Sync(); err != nil {
					b.Error(err)
					return
				}
				envs, err := e.Store.Append(ctx, benchRequest("K", w, i, head, at))
				if err != nil {
					b.Error(err)
					return
				}
				head = events.HeadOf(envs[0])
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reports/s")
}

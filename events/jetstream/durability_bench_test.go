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
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	benchWriters(b, "appends/s", func(w, i int, head events.Head) (events.Head, error) {
		envs, err := e.Store.Append(ctx, benchRequest("D", w, i, head, at))
		if err != nil {
			return head, err
		}
		return events.HeadOf(envs[0]), nil
	})
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
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	benchWriters(b, "reports/s", func(w, i int, head events.Head) (events.Head, error) {
		if _, err := kv.Create(ctx, fmt.Sprintf("k%d-%d", w, i), make([]byte, 120)); err != nil {
			return head, err
		}
		if err := keys.Sync(); err != nil {
			return head, err
		}
		envs, err := e.Store.Append(ctx, benchRequest("K", w, i, head, at))
		if err != nil {
			return head, err
		}
		return events.HeadOf(envs[0]), nil
	})
}

// benchWriters runs b.N calls of op shared among 32 writers, each passing
// the head its last call returned (writer w's i-th call), and reports the
// rate under unit.
func benchWriters(b *testing.B, unit string, op func(w, i int, head events.Head) (events.Head, error)) {
	const writers = 32
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
				var err error
				if head, err = op(w, i, head); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), unit)
}

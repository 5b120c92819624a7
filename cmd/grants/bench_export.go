package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/events/export"
)

// benchExport exports every event of src as pseudonymised NDJSON into a
// file under dir (removed afterwards) and prints the rate and the peak
// heap in use, sampled every 100 ms during the export, beside the heap in
// use just before it (the embedded server's and the process's own): the
// export streams, so the difference stays small however long the log.
func benchExport(ctx context.Context, src export.Source, dir string) error {
	path := filepath.Join(dir, "events.ndjson")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	defer f.Close()
	// The live heap (what the last garbage collection kept) is what the
	// export holds; HeapInuse also counts garbage the collector has not
	// reached yet, which grows with the heap the process had before.
	runtime.GC()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	liveNow := func() uint64 { metrics.Read(live); return live[0].Value.Uint64() }
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before, liveBefore := ms.HeapInuse, liveNow()
	var mu sync.Mutex
	peak, livePeak := before, liveBefore
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				// A collection each tick, so that the live heap is
				// measured during the export and not only when the
				// collector's goal (twice the heap before) is reached.
				runtime.GC()
				runtime.ReadMemStats(&m)
				l := liveNow()
				mu.Lock()
				peak, livePeak = max(peak, m.HeapInuse), max(livePeak, l)
				mu.Unlock()
			}
		}
	}()
	start := time.Now()
	st, err := export.Write(ctx, src, f, export.Options{})
	d := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("event export benchmark: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	fmt.Printf("\nevent export (NDJSON CloudEvents, pseudonymised, to a file): %d events, %.0f MiB in %.1f s (%.0f events/s)\n",
		st.Events, float64(info.Size())/(1<<20), d.Seconds(), float64(st.Events)/d.Seconds())
	fmt.Printf("  live heap (kept by the garbage collector): %.1f MiB before, peak %.1f MiB during the export (+%.1f MiB)\n",
		float64(liveBefore)/(1<<20), float64(livePeak)/(1<<20), float64(livePeak-liveBefore)/(1<<20))
	fmt.Printf("  heap in use, garbage not yet collected included: %.1f MiB before, peak %.1f MiB (+%.1f MiB)\n",
		float64(before)/(1<<20), float64(peak)/(1<<20), float64(peak-before)/(1<<20))
	return nil
}

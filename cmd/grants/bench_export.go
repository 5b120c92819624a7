package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapInuse
	var mu sync.Mutex
	peak := before
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				mu.Lock()
				peak = max(peak, m.HeapInuse)
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
	fmt.Printf("  heap in use: %.1f MiB before, peak %.1f MiB during the export (+%.1f MiB; the export streams: bounded memory)\n",
		float64(before)/(1<<20), float64(peak)/(1<<20), float64(peak-before)/(1<<20))
	return nil
}

package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkLiveProjectorBatches measures the live projector (not the bulk
// load) catching up with a generated history in batches of the size a
// relaxed report load commits (~200 events in 50 ms): ns/event is its cost
// per event, queries and commits included.
func BenchmarkLiveProjectorBatches(b *testing.B) {
	s := openStore(b, testRegistry)
	n := generate(b, s, 20000)
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		db := openDB(b, filepath.Join(dir, fmt.Sprintf("live%d.db", i)))
		catchUp(b, db, s, ProjectorConfig{BatchSize: 200})
		db.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}

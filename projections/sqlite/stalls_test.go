package sqlite

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBulkRebuildLogsItsStages: a Manager's bulk catch-up logs the stages
// of its rebuild once, with the checkpoint it reached: the load phase,
// the waits of its two sides and its commits (each part of the load), and
// the serial tail after it.
func TestBulkRebuildLogsItsStages(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 2000)
	last, err := s.LastSequence(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var logs logBuf
	m, err := OpenManager(context.Background(), ManagerConfig{Path: filepath.Join(t.TempDir(), "grants.db"), Source: s, BulkCatchUpAfter: 500,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	waitCaughtUp(t, m, s)
	var stages []map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "bulk rebuild stages" {
			stages = append(stages, rec)
		}
	}
	if len(stages) != 1 {
		t.Fatalf("%d records of the rebuild's stages, want 1:\n%s", len(stages), logs.String())
	}
	rec := stages[0]
	if cp, _ := rec["checkpoint"].(float64); uint64(cp) != last {
		t.Fatalf("stages logged at checkpoint %v, want %d", rec["checkpoint"], last)
	}
	dur := func(k string) time.Duration {
		v, ok := rec[k].(float64)
		if !ok || v < 0 {
			t.Fatalf("%s = %v, want a duration", k, rec[k])
		}
		return time.Duration(v)
	}
	load := dur("load")
	for _, k := range []string{"writer_idle", "reader_blocked", "commits"} {
		if d := dur(k); d > load {
			t.Fatalf("%s %s is longer than the load phase %s", k, d, load)
		}
	}
	dur("tail")
}

// Package sqlitebench measures the replay of the read models beside the raw
// rates of its two ends (reading the stream, inserting rows into SQLite),
// for grants bench and the tests. It uses only the exported API of
// projections/sqlite, which does not link it.
package sqlitebench

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/privacy"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// ReplayResult compares, measured in one run, the replay of the read
// models with the raw rates of its two ends.
type ReplayResult struct {
	// Events is the number of events replayed.
	Events uint64
	// ReadDuration and ReadRate: Source.Events over the whole stream with
	// a callback that does nothing (decoded envelopes, no projection).
	ReadDuration time.Duration
	ReadRate     float64
	// SQLiteRows, SQLiteDuration and SQLiteRate: plain rows inserted into
	// a simple table with one prepared statement in large transactions,
	// in the same file settings as a rebuild.
	SQLiteRows     int
	SQLiteDuration time.Duration
	SQLiteRate     float64
	// ReplayDuration and ReplayRate: Rebuild of every read model.
	ReplayDuration time.Duration
	ReplayRate     float64
}

// String renders the result on a few lines.
func (r ReplayResult) String() string {
	slower := min(r.ReadRate, r.SQLiteRate)
	return fmt.Sprintf("replay benchmark, %d events\n"+
		"  Source.Events, no-op callback:   %10.0f events/s (%s)\n"+
		"  raw SQLite batched insert:       %10.0f rows/s   (%d rows, %s)\n"+
		"  replay of every read model:      %10.0f events/s (%s)\n"+
		"  replay / slower raw rate:        %9.1f%%",
		r.Events, r.ReadRate, r.ReadDuration.Round(time.Millisecond),
		r.SQLiteRate, r.SQLiteRows, r.SQLiteDuration.Round(time.Millisecond),
		r.ReplayRate, r.ReplayDuration.Round(time.Millisecond), 100*r.ReplayRate/slower)
}

// Replay measures, in the same run, reading the whole stream of src,
// inserting as many plain rows into SQLite, and rebuilding every read
// model from src into a new file under dir (an empty scratch directory).
// Fill src first, e.g. with internal/history.Generate.
// With a key ring the replay checks the events as grants serve's does.
func Replay(ctx context.Context, src projections.Source, dir string, ring *events.KeyRing) (ReplayResult, error) {
	return ReplayOpening(ctx, src, dir, ring, nil)
}

// ReplayOpening is Replay whose rebuild fills the participants table with
// vault as grants serve's read models do (sqlite.RebuildOpening: the
// sealed blocks kept sealed, PD-SEALED); with a nil vault the table stays
// empty.
func ReplayOpening(ctx context.Context, src projections.Source, dir string, ring *events.KeyRing, vault pii.Vault) (ReplayResult, error) {
	last, err := src.LastSequence(ctx)
	if err != nil {
		return ReplayResult{}, err
	}
	if last == 0 {
		return ReplayResult{}, fmt.Errorf("the stream is empty: fill it first")
	}
	res := ReplayResult{Events: last, SQLiteRows: int(last)}

	start := time.Now()
	// The stream may end on a checkpoint (not an event): the last event
	// is the one the replay must reach.
	var n, lastEvent uint64
	if err := src.Events(ctx, 1, last, func(e events.Envelope) error { n, lastEvent = n+1, e.Sequence; return nil }); err != nil {
		return res, err
	}
	res.ReadDuration = time.Since(start)
	if n == 0 || n > last {
		return res, fmt.Errorf("read %d events of a stream of %d messages", n, last)
	}
	res.Events, res.SQLiteRows = n, int(n)

	if res.SQLiteDuration, err = timeBatchedInsert(ctx, filepath.Join(dir, "raw-insert.db"), res.SQLiteRows); err != nil {
		return res, err
	}

	out := filepath.Join(dir, "replay.db")
	start = time.Now()
	seq, err := sqlite.RebuildOpening(ctx, src, out, sqlite.Until{Sequence: last}, nil, ring, vault)
	res.ReplayDuration = time.Since(start)
	if err != nil {
		return res, err
	}
	if seq != lastEvent {
		return res, fmt.Errorf("replayed up to %d, want %d", seq, lastEvent)
	}
	removeDBFiles(out)
	res.ReadRate = float64(n) / res.ReadDuration.Seconds()
	res.SQLiteRate = float64(res.SQLiteRows) / res.SQLiteDuration.Seconds()
	res.ReplayRate = float64(n) / res.ReplayDuration.Seconds()
	return res, nil
}

// removeDBFiles removes the SQLite file at path and its side files.
func removeDBFiles(path string) { sqlite.RemoveFiles(path) }

// ReplayAnalyst times the rebuild of an analyst's file from src into a
// new file under dir, as grants replay --out builds it without
// --personal-data (sqlite.RebuildPseudonymous: pseudonymous from the
// first row, no participants row), and returns its duration and the
// events it applied.
func ReplayAnalyst(ctx context.Context, src projections.Source, dir string, ring *events.KeyRing) (time.Duration, uint64, error) {
	out := filepath.Join(dir, "analyst.db")
	start := time.Now()
	seq, err := sqlite.RebuildPseudonymous(ctx, src, out, sqlite.Until{}, nil, ring, false, privacy.NewPseudonymiser())
	took := time.Since(start)
	if err != nil {
		return took, 0, err
	}
	n, err := sqlite.CountEvents(ctx, out)
	removeDBFiles(out)
	if err != nil {
		return took, 0, err
	}
	if n <= 0 || uint64(n) > seq {
		return took, 0, fmt.Errorf("the analyst's file holds %d events up to sequence %d", n, seq)
	}
	return took, uint64(n), nil
}

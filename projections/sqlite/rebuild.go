package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// RebuildBatchSize is the number of events per transaction of a rebuild.
const RebuildBatchSize = 16384

// Rebuild builds every read model from sequence 1 into a new database file
// at path, up to the stream's last event at the time of the call or the
// bound of until (the models as they were at that moment). The file is
// written without journal or fsync while it is built, then synced: it is a
// throwaway until swapped in. progress, if not nil, is called after each
// batch with the sequence reached and the sequence the rebuild goes to.
// Rebuild refuses to overwrite an existing file; on failure it removes
// what it wrote. It returns the checkpoint of the new file.
func Rebuild(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64)) (uint64, error) {
	return rebuild(ctx, src, path, until, progress, nil)
}

// rebuild is Rebuild with an explicit registry (nil: the domain's).
func rebuild(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64), reg *events.Registry) (uint64, error) {
	if _, err := os.Stat(path); err == nil {
		return 0, fmt.Errorf("%s already exists: a rebuild writes a new file; remove it or choose another path", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	total, err := src.LastSequence(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the stream's last sequence: %w", err)
	}
	if until.Sequence != 0 && until.Sequence < total {
		total = until.Sequence
	}
	db, err := Open(ctx, path, Options{Mode: Bulk})
	if err != nil {
		removeDBFiles(path)
		return 0, err
	}
	cfg := ProjectorConfig{Registry: reg, BatchSize: RebuildBatchSize}
	if progress != nil {
		progress(0, total)
		cfg.Progress = func(seq uint64) { progress(seq, total) }
	}
	p, err := NewProjector(db, cfg)
	if err == nil {
		if until.Sequence == 0 {
			until.Sequence = total
		}
		_, err = p.CatchUp(ctx, src, until)
	}
	if err == nil {
		err = db.finishBulk()
	}
	seq := db.Checkpoint()
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeDBFiles(path)
		return 0, err
	}
	return seq, nil
}

// finishBulk runs the statistics SQLite's planner uses once the bulk load
// is done.
func (db *DB) finishBulk() error { return db.w.execScript("ANALYZE") }

// removeDBFiles deletes a database file and its WAL and shared-memory files.
func removeDBFiles(path string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		os.Remove(p)
	}
}

package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/privacy"
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
// what it wrote. It returns the checkpoint of the new file. Records missing
// from the stream (see events.Hole) fail it with an *IncompleteError: a
// rebuild never passes for complete over them.
func Rebuild(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64)) (uint64, error) {
	defer tuneGC(0)()
	return rebuild(ctx, src, path, until, progress, rebuildSpec{})
}

// ErrIncomplete is wrapped by the error of a rebuild that found records
// missing from the stream.
var ErrIncomplete = errors.New("incomplete: events are missing from the stream")

// IncompleteError names the runs of sequences a rebuild found missing.
type IncompleteError struct {
	Holes []events.Hole
}

// Error implements error.
func (e *IncompleteError) Error() string {
	return fmt.Sprintf("incomplete: events missing from the stream at sequences %s (records NATS dropped, a damaged block file); the read models would lack them. "+
		"Restore the stream from a backup, or see grants verify", events.FormatHoles(e.Holes))
}

// Is makes errors.Is(err, ErrIncomplete) hold.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// RebuildVerified is Rebuild applying only the events that pass their
// checks with ring (see ProjectorConfig.KeyRing); the others are
// quarantined. With keepIncomplete it keeps the file it built over records
// missing from the stream: it returns the checkpoint and an
// *IncompleteError naming them (nil error when none are missing).
func RebuildVerified(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64), ring *events.KeyRing, keepIncomplete bool) (uint64, error) {
	defer tuneGC(0)()
	return rebuild(ctx, src, path, until, progress, rebuildSpec{keepIncomplete: keepIncomplete, ring: ring})
}

// RebuildOpening is RebuildVerified (without keepIncomplete) filling the
// participants table as grants serve's read models do (PD-SEALED): the
// AES-256-GCM blocks kept sealed in src (ProjectorConfig.KeepSealed,
// opened with vault and src when shown, Options), other personal data
// opened with vault;
// RebuildVerified leaves that table empty of sealed data.
func RebuildOpening(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64), ring *events.KeyRing, vault pii.Vault) (uint64, error) {
	defer tuneGC(0)()
	return rebuild(ctx, src, path, until, progress, rebuildSpec{ring: ring, vault: vault, keepSealed: true})
}

// RebuildVerifiedOpening is RebuildVerified opening the sealed personal
// data with vault (nil: RebuildVerified) into the participants' text
// columns: a disclosed grants replay --out --personal-data file, whose
// vault asks the running serve.
func RebuildVerifiedOpening(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64), ring *events.KeyRing, keepIncomplete bool, vault pii.Vault) (uint64, error) {
	defer tuneGC(0)()
	return rebuild(ctx, src, path, until, progress, rebuildSpec{keepIncomplete: keepIncomplete, ring: ring, vault: vault})
}

// RebuildPseudonymous is RebuildVerified building an analyst's
// pseudonymous file (grants replay --out, PD-EXPORT-PSEUDONYMOUS): each
// acting user named by its pseudonym from ps, no free-text reason of a
// command and no participants row (ProjectorConfig.Pseudonyms). The file
// never holds a personal value, so it needs no rewriting afterwards.
func RebuildPseudonymous(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64), ring *events.KeyRing, keepIncomplete bool, ps *privacy.Pseudonymiser) (uint64, error) {
	if ps == nil {
		return 0, errors.New("a pseudonymous rebuild needs a pseudonymiser")
	}
	defer tuneGC(0)()
	return rebuild(ctx, src, path, until, progress, rebuildSpec{keepIncomplete: keepIncomplete, ring: ring, pseudonyms: ps})
}

// rebuildSpec is how rebuild builds a file.
type rebuildSpec struct {
	// reg upcasts payloads (nil: the domain's registry).
	reg *events.Registry
	// keepIncomplete keeps the file built over missing records and
	// returns the *IncompleteError beside its checkpoint.
	keepIncomplete bool
	// ring, if set, applies only the events that pass their checks.
	ring *events.KeyRing
	// vault, keepSealed and pseudonyms are ProjectorConfig's Vault,
	// KeepSealed and Pseudonyms.
	vault      pii.Vault
	keepSealed bool
	pseudonyms *privacy.Pseudonymiser
	// log, if set, receives the stages of a rebuild that succeeds
	// (logLoad).
	log *slog.Logger
}

// rebuild is Rebuild built as spec says.
func rebuild(ctx context.Context, src projections.Source, path string, until Until, progress func(done, total uint64), spec rebuildSpec) (uint64, error) {
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
	cfg := ProjectorConfig{Registry: spec.reg, BatchSize: RebuildBatchSize, KeyRing: spec.ring, Vault: spec.vault, KeepSealed: spec.keepSealed, Pseudonyms: spec.pseudonyms}
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
	if p != nil {
		if holes := p.Holes(); len(holes) > 0 {
			ierr := &IncompleteError{Holes: holes}
			if !spec.keepIncomplete {
				removeDBFiles(path)
				return 0, ierr
			}
			return seq, ierr
		}
		logLoad(spec.log, seq, p.load)
	}
	return seq, nil
}

// rebuildGCPercent and rebuildMemoryLimit tune the garbage collector while
// a rebuild runs: it allocates about 3 KB of short-lived garbage per event
// (most of it in the NATS client) over a small live heap (about 100 MB at
// a million events), so collecting when the heap has grown fivefold keeps
// the collector near 1 % of the CPU. The soft limit keeps a very large
// ledger from growing the heap without bound: past it the collector runs
// more often instead.
const (
	rebuildGCPercent   = 400
	rebuildMemoryLimit = 4 << 30
)

// tuneGC applies rebuildGCPercent and Go's soft memory limit for a
// rebuild, limit bytes (0: rebuildMemoryLimit; negative: the limit in
// force is kept), until the returned function restores the settings. A
// lower limit in force is raised: grants serve keeps its heap under 300
// MiB while it serves, and a cold catch-up held to that collected
// garbage without pause (a replay of a million events took 25.6 s under
// it against 10.7 s). A limit set by the GOMEMLIMIT environment variable
// is the operator's and is kept.
func tuneGC(limit int64) (restore func()) {
	percent := debug.SetGCPercent(rebuildGCPercent)
	prev := debug.SetMemoryLimit(-1)
	if limit == 0 {
		limit = rebuildMemoryLimit
	}
	_, fromEnv := os.LookupEnv("GOMEMLIMIT")
	if limit > 0 && (prev == math.MaxInt64 || (limit > prev && !fromEnv)) {
		debug.SetMemoryLimit(limit)
	}
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(prev)
	}
}

// dropIndexes drops the secondary indexes of a Bulk database, to be
// created again by finishBulk: building an index once from sorted rows is
// much cheaper than keeping it up to date row by row.
func (db *DB) dropIndexes() error {
	var defs []string
	rows, err := db.w.c.QueryContext(bg, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name", nil)
	if err != nil {
		return err
	}
	vals := make([]driver.Value, 2)
	var names []string
	for {
		if err := rows.Next(vals); err != nil {
			if err == io.EOF {
				break
			}
			rows.Close()
			return err
		}
		var name, sql string
		assign(&name, vals[0])
		assign(&sql, vals[1])
		names = append(names, name)
		defs = append(defs, sql)
	}
	rows.Close()
	for _, n := range names {
		if err := db.w.execScript("DROP INDEX " + quoteIdent(n)); err != nil {
			return err
		}
	}
	db.dropped = defs
	return nil
}

// finishBulk creates the indexes dropped for the bulk load and runs the
// statistics SQLite's planner uses.
func (db *DB) finishBulk() error {
	// SQLite sorts the keys of a new index in runs of at most the page
	// cache's size and merges them, on worker threads when there are
	// several runs and temporary files are allowed (with temp_store=MEMORY
	// it sorts on one thread). Small runs sorted by four workers build the
	// rebuild's indexes about three times faster than one large sort
	// (2.8 s to 0.9 s for a million events on two cores).
	if err := db.w.execScript("PRAGMA temp_store=FILE; PRAGMA threads=4; PRAGMA cache_size=-2048"); err != nil {
		return err
	}
	for _, def := range db.dropped {
		if err := db.w.execScript(def); err != nil {
			return err
		}
	}
	db.dropped = nil
	if db.aux != nil {
		if err := db.copyBulkAux(); err != nil {
			return err
		}
	}
	// Sample at most a thousand rows per index: enough for the planner,
	// and an ANALYZE of a large file takes milliseconds instead of seconds.
	return db.w.execScript("PRAGMA analysis_limit=1000; ANALYZE")
}

// RemoveFiles deletes the read-model file at path and every file that
// belongs to it (SQLite's log, shared memory and journal, the open mark);
// one that is not there is no error. For a file thrown away (a rebuild as
// of a past point, a benchmark's).
func RemoveFiles(path string) { removeDBFiles(path) }

// removeDBFiles deletes a database file and its side files (sideFiles).
func removeDBFiles(path string) {
	os.Remove(path)
	for _, ext := range sideFiles {
		os.Remove(path + ext)
	}
}

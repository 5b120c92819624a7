package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/erasmus-ledger/grants/events"
)

// ErrStreamLost is wrapped by the error of OpenManager when the read
// models include events the stream no longer has: it ends before their
// checkpoint (the stream was deleted, re-created empty or truncated).
var ErrStreamLost = errors.New("the event stream has lost events the read models include")

// dir is the directory of the read-model files.
func (m *Manager) dir() string { return filepath.Dir(m.cfg.Path) }

// openExisting opens the read models at path for serving, rebuilding them
// into a new generation when they are damaged, of another schema or of
// another stream. A file replaced by a rebuild is kept aside unless the
// stream holds every event it included.
func (m *Manager) openExisting(ctx context.Context, path string) (*DB, error) {
	log := m.cfg.Logger
	if _, serr := os.Stat(path); serr == nil {
		torn, err := openInEarlierBoot(path)
		if err != nil {
			return nil, err
		}
		if torn {
			// Written without fsync and open when the system stopped
			// (openmark.go): any page may be missing. The file is replaced
			// once the rebuild reaches what it held, kept aside otherwise.
			cp, perr := peekCheckpoint(path)
			if perr != nil {
				cp = math.MaxUint64
			}
			log.Warn("rebuilding the read models: the file was open for writing, without fsync, when the system stopped", "file", path)
			return m.rebuildAtStart(ctx, path, cp)
		}
	}
	db, err := OpenChecked(path)
	switch {
	case errors.Is(err, ErrDamaged):
		aside, kerr := m.keepAside(path, "damaged")
		if kerr != nil {
			return nil, fmt.Errorf("%w; %v", err, kerr)
		}
		log.Error("the read-model file is damaged; rebuilding the read models from the events", "file", path, "kept_as", aside, "err", err)
		return m.rebuildAtStart(ctx, "", 0)
	case errors.Is(err, ErrSchemaChanged):
		cp, perr := peekCheckpoint(path)
		if perr != nil {
			cp = math.MaxUint64 // unknown: the file is kept
		} else if over, err := m.streamLost(ctx, path, cp); err != nil {
			return nil, err
		} else if over {
			return m.startOver(ctx, path)
		}
		log.Warn("rebuilding the read models", "reason", err)
		return m.rebuildAtStart(ctx, path, cp)
	case err != nil:
		return nil, err
	}
	if over, err := m.streamLost(ctx, path, db.Checkpoint()); err != nil || over {
		db.Close()
		if err != nil {
			return nil, err
		}
		return m.startOver(ctx, path)
	}
	if err := db.VerifyStream(ctx, m.cfg.Source); err != nil {
		db.Close()
		if !errors.Is(err, ErrStreamMismatch) {
			return nil, err
		}
		// Derived data of another stream: build this stream's read models
		// into a new generation; the old file may hold what no stream has
		// any more, so it is kept.
		aside, kerr := m.keepAside(path, "other-stream")
		if kerr != nil {
			return nil, kerr
		}
		log.Warn("rebuilding the read models", "reason", err, "kept_as", aside)
		return m.rebuildAtStart(ctx, "", 0)
	}
	return db, nil
}

// streamLost checks that the stream reaches the checkpoint cp of the read
// models at path. It returns an error wrapping ErrStreamLost when it does
// not, or over = true when AcceptStreamLoss says to start over.
func (m *Manager) streamLost(ctx context.Context, path string, cp uint64) (over bool, err error) {
	last, err := m.cfg.Source.LastSequence(ctx)
	if err != nil {
		return false, err
	}
	if cp <= last {
		return false, nil
	}
	lost := fmt.Errorf("%w: %s includes events up to sequence %d but the stream ends at %d: the stream was deleted or truncated, "+
		"and these read models may be the last copy of its data. Restore the stream from a backup (remove the empty stream, then nats stream restore) and start again; "+
		"or start over from what the stream holds with grants serve --accept-stream-loss, which keeps %s aside",
		ErrStreamLost, path, cp, last, path)
	if !m.cfg.AcceptStreamLoss {
		return false, lost
	}
	m.cfg.Logger.Error("starting over from a stream that lost events, as --accept-stream-loss asks", "err", lost)
	return true, nil
}

// startOver keeps the read models at path aside and rebuilds them from
// what the stream holds.
func (m *Manager) startOver(ctx context.Context, path string) (*DB, error) {
	aside, err := m.keepAside(path, "stream-lost")
	if err != nil {
		return nil, err
	}
	m.cfg.Logger.Error("the read models of the lost stream are kept aside", "file", path, "kept_as", aside)
	return m.rebuildAtStart(ctx, "", 0)
}

// peekCheckpoint reads the checkpoint of a read-model file without
// migrating it.
func peekCheckpoint(path string) (uint64, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var seq int64
	if err := db.QueryRow("SELECT sequence FROM checkpoint WHERE id = 1").Scan(&seq); err != nil {
		return 0, err
	}
	return uint64(seq), nil
}

// rebuildAtStart builds the read models into a new generation, points
// the pointer file at it and opens it. Records missing from the stream do
// not stop it (they are logged, and reported again by grants verify). old,
// if set, is the file replaced: deleted when the rebuild is complete and
// reaches its checkpoint oldCP, kept aside otherwise.
func (m *Manager) rebuildAtStart(ctx context.Context, old string, oldCP uint64) (*DB, error) {
	next := m.nextGenerationPath()
	restoreGC := tuneGC(m.cfg.RebuildMemoryLimit)
	seq, err := rebuild(ctx, m.cfg.Source, next, Until{}, nil, rebuildSpec{reg: m.cfg.Registry, keepIncomplete: true, ring: m.cfg.KeyRing, vault: m.cfg.Vault, keepSealed: true, log: m.cfg.Logger})
	restoreGC()
	var incomplete *IncompleteError
	if errors.As(err, &incomplete) {
		m.cfg.Logger.Error("the read models were rebuilt without events missing from the stream", "sequences", events.FormatHoles(incomplete.Holes), "file", next)
	} else if err != nil {
		return nil, fmt.Errorf("rebuilding the read models into %s: %w", next, err)
	}
	if err := writeLine(m.pointerPath(), filepath.Base(next)); err != nil {
		removeDBFiles(next)
		return nil, err
	}
	if old != "" {
		if incomplete == nil && seq >= oldCP {
			removeDBFiles(old)
		} else if aside, err := m.keepAside(old, "replaced"); err == nil {
			m.cfg.Logger.Warn("the replaced read models are kept aside", "kept_as", aside)
		}
	}
	return Open(ctx, next, Options{})
}

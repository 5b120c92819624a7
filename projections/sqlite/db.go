package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/projections"
)

// Mode selects how a database file is written.
type Mode int

const (
	// Live is the mode of the database that serves queries: WAL journal,
	// synchronous=OFF with an open mark (openmark.go; NORMAL where the
	// boot cannot be told), readers concurrent with the one writer.
	Live Mode = iota
	// Bulk is the mode of a rebuild into a throwaway file: no journal, no
	// fsync, exclusive lock, no readers. The file is synced when closed.
	Bulk
)

// Options tune Open.
type Options struct {
	// Mode is Live (default) or Bulk.
	Mode Mode
	// ReadConns is the size of the read pool (default 4).
	ReadConns int
	// CacheMiB is SQLite's page cache of the writer in MiB (default 16;
	// 32 in Bulk mode: a rebuild appends rows in rowid order and builds
	// the secondary indexes at the end, so a larger cache only costs
	// page faults on fresh memory). Each reader has readCacheMiB. The
	// caches are C memory, outside Go's memory limit, and fill as the file
	// grows: with 4 readers the file costs at most 32 MiB of resident
	// memory; a page not cached is read from the operating system's.
	CacheMiB int
	// Vault opens the participants' personal data kept sealed (PD-SEALED)
	// when Participant shows it; without it such a participant cannot be
	// shown.
	Vault pii.Vault
	// Source is the event stream the file was built from: a block kept
	// sealed stays there, in the event the participant's row names by its
	// sequence, and Participant reads it with one direct get.
	Source projections.Source
}

// readCacheMiB is the page cache of each read connection: a status or a
// mobility page reads a few index and row pages.
const readCacheMiB = 4

// DB is one read-model database file: a single writer connection owned by
// the projector and a pool of read-only connections answering queries.
type DB struct {
	path  string
	mode  Mode
	w     *wconn
	r     *sql.DB
	notes *notifier
	// dropped holds the index definitions a Bulk load dropped.
	dropped []string
	// wb starts the writeback of a Bulk file after each commit.
	wb writeback
	// aux is a Bulk load's scratch file, copied in by finishBulk
	// (bulkaux.go).
	aux *bulkAux
	// stmts keeps the read queries prepared (stmtcache.go).
	stmts stmtCache
	// stamps tell the API which projects' cached answers are stale
	// (stamps.go).
	stamps *stamps
	// vault opens the personal data kept sealed (Options.Vault), src
	// holds the blocks kept in the stream (Options.Source).
	vault pii.Vault
	src   projections.Source
	// ckpt copies a live file's write-ahead log into it beside the
	// writer (walcheckpoint.go).
	ckpt *checkpointer
	// unsynced: a live file written without fsync, under an open mark
	// (openmark.go) that a clean Close removes.
	unsynced bool
}

// Open opens (creating if needed) the read-model database at path, applies
// pending schema migrations and loads the checkpoint.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	if opt.ReadConns <= 0 {
		opt.ReadConns = 4
	}
	if opt.CacheMiB <= 0 {
		opt.CacheMiB = 16
		if opt.Mode == Bulk {
			opt.CacheMiB = 32
		}
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("read-model path %q: '?' and '#' are not allowed in the file name", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating the read-model directory: %w", err)
		}
	}
	wdsn := path + fmt.Sprintf("?_busy_timeout=10000&_txlock=immediate&_cache_size=-%d", opt.CacheMiB*1024)
	if opt.Mode == Bulk {
		wdsn += "&_journal_mode=OFF&_synchronous=OFF&_locking_mode=EXCLUSIVE&_mutex=no"
	}
	unsynced := false
	if opt.Mode == Live {
		sync := "NORMAL"
		if unsyncedWrites() {
			if err := markOpen(path); err != nil {
				return nil, fmt.Errorf("marking read models %s open: %w", path, err)
			}
			sync, unsynced = "OFF", true
		}
		wdsn += "&_journal_mode=WAL&_synchronous=" + sync
	}
	dc, err := (&sqlite3.SQLiteDriver{}).Open(wdsn)
	if err != nil {
		return nil, fmt.Errorf("opening read models %s: %w", path, err)
	}
	w := &wconn{c: dc.(*sqlite3.SQLiteConn)}
	db := &DB{path: path, mode: opt.Mode, w: w, wb: writeback{path: path}, stamps: newStamps(), vault: opt.Vault, src: opt.Source, unsynced: unsynced}
	// secure_delete: the bytes of a deleted row (an erased participant's
	// personal data, PD-ERASE) are overwritten with zeros, not left in the
	// file's free pages.
	if err := w.execScript("PRAGMA temp_store=MEMORY; PRAGMA secure_delete=ON"); err != nil {
		db.Close()
		return nil, err
	}
	// Only takes effect on a new, empty file.
	if err := w.execScript("PRAGMA page_size=16384"); err != nil {
		db.Close()
		return nil, err
	}
	if err := migrate(w); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating read models %s: %w", path, err)
	}
	if opt.Mode == Live {
		var pageSize int64
		if err := w.queryRow("PRAGMA page_size", nil, &pageSize); err != nil {
			db.Close()
			return nil, err
		}
		if err := w.execScript(walPragmas(pageSize)); err != nil {
			db.Close()
			return nil, err
		}
		if db.ckpt, err = startCheckpointer(path, unsynced); err != nil {
			db.Close()
			return nil, err
		}
		rdsn := path + fmt.Sprintf("?_busy_timeout=10000&_query_only=1&_cache_size=-%d", readCacheMiB*1024)
		db.r, err = sql.Open("sqlite3", rdsn)
		if err != nil {
			db.Close()
			return nil, err
		}
		db.r.SetMaxOpenConns(opt.ReadConns)
		db.r.SetMaxIdleConns(opt.ReadConns)
	}
	seq, err := db.loadCheckpoint()
	if err != nil {
		db.Close()
		return nil, err
	}
	if opt.Mode == Bulk {
		if seq != 0 {
			db.mode = Live // nothing to sync: the file is left as it was
			db.Close()
			return nil, fmt.Errorf("%s already holds read models: bulk mode only builds new files", path)
		}
		if err := db.dropIndexes(); err != nil {
			db.Close()
			return nil, err
		}
	}
	db.notes = newNotifier(seq)
	_ = ctx
	return db, nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes every connection. In Bulk mode it also syncs the file to
// disk so that it can be swapped in; a live file written without fsync
// is synced and its open mark removed (openmark.go) when every connection
// closed without error.
func (db *DB) Close() error {
	var first error
	if db.aux != nil {
		db.aux.abandon()
		db.aux = nil
	}
	if db.r != nil {
		db.stmts.close()
		first = db.r.Close()
	}
	if err := db.ckpt.close(); err != nil && first == nil {
		first = err
	}
	db.ckpt = nil
	if db.w != nil {
		if err := db.w.close(); err != nil && first == nil {
			first = err
		}
		db.w = nil
	}
	if db.notes != nil {
		db.notes.retire()
	}
	db.wb.close()
	if db.mode == Bulk && first == nil {
		first = syncFile(db.path)
	}
	if db.mode == Live && db.unsynced && first == nil {
		first = markClosed(db.path)
	}
	return first
}

// loadCheckpoint reads the checkpoint row.
func (db *DB) loadCheckpoint() (uint64, error) {
	var seq int64
	err := db.w.queryRow("SELECT sequence FROM checkpoint WHERE id = 1", nil, &seq)
	if err != nil {
		return 0, fmt.Errorf("reading the checkpoint: %w", err)
	}
	return uint64(seq), nil
}

// reader returns the read pool, or an Unavailable error for a Bulk database.
func (db *DB) reader() (*sql.DB, error) {
	if db.r == nil {
		return nil, apperr.New(apperr.Unavailable, "the read models are being rebuilt and cannot answer queries yet")
	}
	return db.r, nil
}

// syncFile fsyncs a file and its directory.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// syncDir fsyncs a directory so that a rename or create in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

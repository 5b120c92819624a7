package sqlite

import (
	"database/sql/driver"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// A live database copies its write-ahead log into the file (a WAL
// checkpoint) on a connection and goroutine of its own, not in the
// writer's commits. SQLite's automatic checkpoint runs inside the commit
// that takes the log past wal_autocheckpoint pages: at ~60 events a
// commit, each writing a few hundred pages, that was every few commits,
// copying the same hot pages (the checkpoint row, the projects, the
// statistics, the tails of the audit lists) again each time and syncing
// the file twice, while the projector, and the reads waiting for it,
// stood still. The checkpointer copies, at most every walCheckpointEvery,
// each page changed since its last pass once, beside the writer.
//
// The writer keeps an automatic checkpoint at walSizeLimit bytes of log
// as a bound: a passive checkpoint never blocks the writer, so under a
// steady stream the log may never be wholly copied at a moment when no
// commit follows, and SQLite only starts the log anew from a writer whose
// checkpoint copied all of it. The writer's checkpoint at the bound then
// copies what the checkpointer has not, and the log starts again; its
// file is cut back to walSizeLimit.
const (
	walCheckpointEvery = 500 * time.Millisecond
	walSizeLimit       = 64 << 20
)

// walPragmas are the writer's log settings of a live database whose pages
// are pageSize bytes (4 KiB for a file made live, 16 KiB for one a replay
// built).
func walPragmas(pageSize int64) string {
	pages := int64(1000) // SQLite's default
	if pageSize > 0 && walSizeLimit/pageSize > pages {
		pages = walSizeLimit / pageSize
	}
	return fmt.Sprintf("PRAGMA wal_autocheckpoint=%d; PRAGMA journal_size_limit=%d", pages, walSizeLimit)
}

// checkpointer runs passive WAL checkpoints of one database file.
type checkpointer struct {
	c       *sqlite3.SQLiteConn
	log     atomic.Pointer[slog.Logger]
	pending atomic.Bool
	stop    chan struct{}
	wg      sync.WaitGroup
}

// startCheckpointer opens a connection of its own to path and starts
// checkpointing every walCheckpointEvery while commits are noted. A
// checkpoint syncs as its own connection says: unsynced, the file written
// without fsync (openmark.go), it syncs nothing.
func startCheckpointer(path string, unsynced bool) (*checkpointer, error) {
	dsn := path + "?_busy_timeout=10000"
	if unsynced {
		dsn += "&_synchronous=OFF"
	}
	dc, err := (&sqlite3.SQLiteDriver{}).Open(dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the WAL checkpointer of %s: %w", path, err)
	}
	k := &checkpointer{c: dc.(*sqlite3.SQLiteConn), stop: make(chan struct{})}
	k.log.Store(slog.Default())
	k.wg.Add(1)
	go k.run()
	return k, nil
}

// setLogger sends the checkpointer's log to l (default slog.Default()).
func (k *checkpointer) setLogger(l *slog.Logger) {
	if k != nil && l != nil {
		k.log.Store(l)
	}
}

// noteCommit tells the checkpointer that the log has grown.
func (k *checkpointer) noteCommit() {
	if k != nil && !k.pending.Load() {
		k.pending.Store(true)
	}
}

// run checkpoints after each period in which a commit was noted. A
// failure is logged once while it lasts (a full or read-only disk), and
// the first checkpoint after it once.
func (k *checkpointer) run() {
	defer k.wg.Done()
	t := time.NewTicker(walCheckpointEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-k.stop:
			return
		case <-t.C:
		}
		if !k.pending.Swap(false) {
			continue
		}
		err := k.checkpoint()
		switch {
		case err != nil && !failing:
			// The writer's own checkpoint at the bound still copies the
			// log; nothing is lost, the log is only longer.
			k.log.Load().Warn("a passive WAL checkpoint failed", "err", err)
		case err == nil && failing:
			k.log.Load().Info("passive WAL checkpoints succeed again")
		}
		failing = err != nil
	}
}

// checkpoint copies the committed log into the file as far as no reader
// needs the older pages, without waiting for any lock.
func (k *checkpointer) checkpoint() error {
	rows, err := k.c.QueryContext(bg, "PRAGMA wal_checkpoint(PASSIVE)", nil)
	if err != nil {
		return err
	}
	vals := make([]driver.Value, len(rows.Columns()))
	for rows.Next(vals) == nil {
	}
	return rows.Close()
}

// close stops the checkpointer and closes its connection; the writer's
// close (the last connection) checkpoints what is left.
func (k *checkpointer) close() error {
	if k == nil {
		return nil
	}
	close(k.stop)
	k.wg.Wait()
	return k.c.Close()
}

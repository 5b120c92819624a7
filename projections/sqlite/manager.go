package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/atomicfile"
	"github.com/erasmus-ledger/grants/projections"
)

// ManagerConfig configures a Manager.
type ManagerConfig struct {
	// Path is the configured database path (e.g. data/grants.db): the
	// first generation's file, and the base of the pointer file
	// (Path + ".current") and of rebuilt generations (Path + ".gen-<n>").
	Path string
	// Source is the event stream.
	Source projections.Source
	// Registry upcasts payloads; default the domain's.
	Registry *events.Registry
	// Logger receives the projectors' errors; nil discards them.
	Logger *slog.Logger
	// KeyRing, if set, makes the projectors apply only the events that
	// pass their checks and quarantine the others (see
	// ProjectorConfig.KeyRing).
	KeyRing *events.KeyRing
	// OwnSignatures, if set with KeyRing, lets the live projector skip
	// verifying again the signatures this process has just made (see
	// ProjectorConfig.OwnSignatures).
	OwnSignatures interface {
		SignedHere(e *events.Envelope) bool
	}
	// Vault, if set, fills the participants table (PD-SEALED): the
	// sealed blocks are kept sealed in the stream (ProjectorConfig.KeepSealed),
	// each row naming its event, and opened with Vault when Participant
	// shows one (one direct get from Source); without it the table stays
	// empty of sealed data.
	Vault pii.Vault
	// RetryDelay is the first delay before a failed live projector is
	// restarted (doubling up to a minute, or up to 10 s after a disk
	// fault; back to RetryDelay once it has recovered; default 1s).
	// Unknown event types, events that do not decode and a stream
	// mismatch are not retried.
	RetryDelay time.Duration
	// AcceptStreamLoss lets OpenManager start over from a stream that
	// ends before the read models' checkpoint (deleted or truncated): the
	// old file is kept aside, never deleted, and the read models are
	// rebuilt from what the stream holds. Without it such a start is
	// refused with ErrStreamLost.
	AcceptStreamLoss bool
	// BulkCatchUpAfter is how far behind the stream (in events) the read
	// models must be at start, and at least half the stream, for the
	// Manager to catch up by a bulk rebuild into a new generation (the
	// replay's path, about twice as fast as the live projector) instead
	// of projecting event by event; default DefaultBulkCatchUpAfter.
	BulkCatchUpAfter uint64
	// RebuildMemoryLimit is Go's soft memory limit, in bytes, while a
	// bulk rebuild or catch-up runs: 0 is 4 GiB (what grants replay
	// uses), a negative value keeps the limit in force. A lower limit in
	// force is raised for the rebuild and restored after it, unless the
	// GOMEMLIMIT environment variable set it.
	RebuildMemoryLimit int64
	// Parked opens the read models without following the stream (no live
	// projector, no bulk catch-up), for grants replay, which rebuilds and
	// swaps in a new generation at once: a projector following the stream
	// beside that rebuild would project the same events a second time on
	// the same cores. The generation a Rebuild swaps in follows the stream.
	Parked bool
}

// DefaultBulkCatchUpAfter is ManagerConfig.BulkCatchUpAfter's default:
// below it a live catch-up takes a few seconds at most.
const DefaultBulkCatchUpAfter = 100_000

// Manager serves the read models of `grants serve`: it holds the current
// database generation behind an atomic pointer, keeps its projector
// following the stream, and swaps in a rebuilt generation atomically while
// queries keep being answered from the old one until the swap. It
// implements projections.Reader.
type Manager struct {
	cfg       ManagerConfig
	cur       atomic.Pointer[generation]
	rebuildMu sync.Mutex
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var _ projections.Reader = (*Manager)(nil)

// generation is one database file in service.
type generation struct {
	db     *DB
	p      *Projector
	name   string
	stop   context.CancelFunc
	done   chan struct{}
	failed atomic.Pointer[error]
	// progressed tells that the projector recovered since its last
	// restart; runs counts the projector's runs that have ended.
	progressed atomic.Bool
	runs       atomic.Uint64
	// logged is the failure last logged, until a commit shows it over
	// (or, for a fault not of the disk, a run that lasts): a failure is
	// logged once while it lasts, and its end once.
	logged atomic.Pointer[error]

	mu      sync.Mutex
	refs    int
	retired bool
	drained chan struct{}
}

// acquire takes a reference for a query; false once retired.
func (g *generation) acquire() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.retired {
		return false
	}
	g.refs++
	return true
}

// release returns a reference.
func (g *generation) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refs--
	if g.refs == 0 && g.retired {
		close(g.drained)
	}
}

// retire refuses new references; drained closes when the last one goes.
func (g *generation) retire() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.retired {
		return
	}
	g.retired = true
	if g.refs == 0 {
		close(g.drained)
	}
}

// pointerPath is the file naming the current generation.
func (m *Manager) pointerPath() string { return m.cfg.Path + ".current" }

// OpenManager opens the generation the pointer file names (the configured
// path when there is none) and starts its projector following the stream.
// Read models built from another stream (their checkpoint's event is not
// the stream's) or with another schema, and a damaged file (ErrDamaged),
// are rebuilt into a new generation first; the file replaced is kept aside
// (see keepAside) unless the stream is known to hold all it held. Read
// models that include events beyond the stream's end (the stream was
// deleted or truncated) are refused with an error wrapping ErrStreamLost,
// unless AcceptStreamLoss.
func OpenManager(ctx context.Context, cfg ManagerConfig) (*Manager, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Second
	}
	m := &Manager{cfg: cfg}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	path := cfg.Path
	if b, err := os.ReadFile(m.pointerPath()); err == nil {
		name := strings.TrimSpace(string(b))
		cand := filepath.Join(filepath.Dir(cfg.Path), name)
		if _, err := os.Stat(cand); err == nil && name != "" && !strings.ContainsAny(name, `/\`) {
			path = cand
		} else {
			cfg.Logger.Warn("the read-model pointer names a missing file; using the configured path", "pointer", name, "path", cfg.Path)
		}
	}
	db, err := m.openExisting(ctx, path)
	if err != nil {
		return nil, err
	}
	if cfg.Parked || m.farBehind(ctx, db) {
		g := m.parked(db)
		m.cur.Store(g)
		m.removeStale(db.Path())
		if !cfg.Parked {
			m.bulkCatchUp(g)
		}
		return m, nil
	}
	g, err := m.start(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	m.cur.Store(g)
	m.removeStale(db.Path())
	return m, nil
}

// removeStale deletes the generation files other than current: what a
// rebuild or a swap interrupted by a crash left behind.
func (m *Manager) removeStale(current string) {
	stale, _ := filepath.Glob(m.cfg.Path + ".gen-*")
	stale = append(stale, m.cfg.Path)
	for _, f := range stale {
		if f == current || slices.ContainsFunc(sideFiles, func(ext string) bool { return strings.HasSuffix(f, ext) }) {
			continue
		}
		if _, err := os.Stat(f); err == nil {
			m.cfg.Logger.Info("removing a stale read-model generation", "file", f)
			removeDBFiles(f)
		}
	}
}

// start makes db a generation and starts its live projector.
func (m *Manager) start(db *DB) (*generation, error) {
	g := &generation{db: db, name: filepath.Base(db.Path()), drained: make(chan struct{})}
	db.ckpt.setLogger(m.cfg.Logger)
	p, err := NewProjector(db, ProjectorConfig{Registry: m.cfg.Registry, Logger: m.cfg.Logger, KeyRing: m.cfg.KeyRing, Vault: m.cfg.Vault, KeepSealed: true,
		OwnSignatures: m.cfg.OwnSignatures, Started: func() { m.recoverAfterDelay(g) }, Progress: func(uint64) { m.recovered(g) }})
	if err != nil {
		return nil, err
	}
	g.p = p
	m.run(g)
	return g, nil
}

// recoverAfterDelay clears the error of g's projector if the run that has
// just started (it has read the stream and checked the file) is still
// running after RetryDelay: a projector with nothing to apply is as
// healthy as it can be, and one whose writes fail again at once does not
// flap between failed and recovered. It logs no recovery from a disk
// fault: only a commit shows the disk writable again.
func (m *Manager) recoverAfterDelay(g *generation) {
	run := g.runs.Load()
	time.AfterFunc(m.cfg.RetryDelay, func() {
		if g.runs.Load() != run {
			return
		}
		if e := g.logged.Load(); e != nil && !diskFault(*e) && g.logged.CompareAndSwap(e, nil) {
			m.cfg.Logger.Info("the read-model projector recovered", "after", *e, "checkpoint", g.db.Checkpoint())
		}
		g.progressed.Store(true)
		g.failed.Store(nil)
	})
}

// recovered clears the error of g's projector once it has committed a
// batch, and logs the end of the failure last logged.
// The recovery is logged before the error is cleared, so that whoever
// sees Err turn nil here finds it in the log (after a disk fault,
// recoverAfterDelay may clear Err first and leave the log to this).
func (m *Manager) recovered(g *generation) {
	if e := g.logged.Swap(nil); e != nil {
		m.cfg.Logger.Info("the read-model projector recovered", "after", *e, "checkpoint", g.db.Checkpoint())
	}
	g.progressed.Store(true)
	g.failed.Store(nil)
}

// persistent reports whether a projector error is one that retrying
// cannot mend: an event this build cannot project or decode, a stored
// event that cannot be read, or read models of another stream.
func persistent(err error) bool {
	if errors.Is(err, ErrUnknownEvent) || errors.Is(err, ErrStreamMismatch) || errors.Is(err, ErrUndecodable) {
		return true
	}
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Code == apperr.Internal
}

// maxRetryDelay bounds the growing delay before a failed projector runs
// again; diskRetryDelay bounds it after a disk fault (a full or read-only
// disk, a failing write): a retry then costs one failed commit, and the
// read models turn ready again at most that long after the disk clears.
const (
	maxRetryDelay  = time.Minute
	diskRetryDelay = 10 * time.Second
)

// run starts g's projector in the background, restarting it after
// transient failures with a growing delay (back to the first once it has
// recovered), unless the stream holds an event it cannot project. A
// failure is logged once while it lasts (a disk fault may last minutes),
// again if it changes, and its end once (recovered).
func (m *Manager) run(g *generation) {
	ctx, stop := context.WithCancel(m.ctx)
	g.stop, g.done = stop, make(chan struct{})
	g.failed.Store(nil)
	done := g.done
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer close(done)
		delay := m.cfg.RetryDelay
		for {
			g.progressed.Store(false)
			err := g.p.Run(ctx, m.cfg.Source)
			g.runs.Add(1)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				err = errors.New("the event stream ended")
			}
			g.failed.Store(&err)
			if persistent(err) {
				m.cfg.Logger.Error("the read models stopped", "err", err, "checkpoint", g.db.Checkpoint())
				return
			}
			if g.progressed.Load() {
				delay = m.cfg.RetryDelay
			}
			wait := delay
			if diskFault(err) {
				wait = min(delay, max(diskRetryDelay, m.cfg.RetryDelay))
			}
			if e := g.logged.Load(); e == nil || (*e).Error() != err.Error() {
				g.logged.Store(&err)
				m.cfg.Logger.Warn("the read-model projector failed; retrying", "err", err, "retry_in", wait, "checkpoint", g.db.Checkpoint())
			} else {
				m.cfg.Logger.Debug("the read-model projector failed again; retrying", "err", err, "retry_in", wait)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			delay = min(2*delay, maxRetryDelay)
		}
	}()
}

// errClosed answers queries after Close.
var errClosed = apperr.New(apperr.Unavailable, "the read models are closed")

// acquire returns the current generation with a reference taken.
func (m *Manager) acquire() (*generation, error) {
	for {
		g := m.cur.Load()
		if g.acquire() {
			return g, nil
		}
		if m.cur.Load() == g {
			// Retired and not replaced: the manager is closed.
			return nil, errClosed
		}
	}
}

// Err returns why the current generation's projector is not following the
// stream, or nil when it is.
func (m *Manager) Err() error {
	if e := m.cur.Load().failed.Load(); e != nil {
		return *e
	}
	return nil
}

// Path is the current generation's file.
func (m *Manager) Path() string { return m.cur.Load().db.Path() }

// Checkpoint implements projections.Reader.
func (m *Manager) Checkpoint() uint64 { return m.cur.Load().db.Checkpoint() }

// WaitFor implements projections.Reader. A wait that spans a swap goes on
// on the new generation.
func (m *Manager) WaitFor(ctx context.Context, seq uint64) error {
	for {
		g := m.cur.Load()
		err := g.db.WaitFor(ctx, seq)
		if err != errRetired {
			return err
		}
		if m.cur.Load() == g {
			return errClosed
		}
	}
}

// errRebuildRunning refuses a rebuild while another runs.
var errRebuildRunning = apperr.New(apperr.Conflict, "a rebuild of the read models is already running")

// Rebuild builds the read models from sequence 1 into a new generation
// file, catches it up with the stream, and swaps it in atomically; the old
// generation is deleted once no query uses it. Queries are answered from
// the old generation until the swap. progress is as for Rebuild.
func (m *Manager) Rebuild(ctx context.Context, progress func(done, total uint64)) error {
	if !m.rebuildMu.TryLock() {
		return errRebuildRunning
	}
	defer m.rebuildMu.Unlock()
	old := m.cur.Load()
	path := m.nextGenerationPath()
	defer tuneGC(m.cfg.RebuildMemoryLimit)()
	if _, err := rebuild(ctx, m.cfg.Source, path, Until{}, progress, rebuildSpec{reg: m.cfg.Registry, ring: m.cfg.KeyRing, vault: m.cfg.Vault, keepSealed: true, log: m.cfg.Logger}); err != nil {
		return fmt.Errorf("rebuilding the read models into %s: %w", path, err)
	}
	// The new generation could never catch up with read models that
	// include events the stream no longer has: refuse rather than wait.
	// (The checkpoint is read first: events appended meanwhile only move
	// the stream's end further.)
	oldCP := old.db.Checkpoint()
	if last, err := m.cfg.Source.LastSequence(ctx); err != nil || last < oldCP {
		removeDBFiles(path)
		if err == nil {
			err = fmt.Errorf("%w: the served read models include events up to sequence %d but the stream ends at %d; nothing was swapped",
				ErrStreamLost, oldCP, last)
		}
		return err
	}
	db, err := Open(ctx, path, Options{})
	if err != nil {
		removeDBFiles(path)
		return err
	}
	g, err := m.start(db)
	if err != nil {
		db.Close()
		removeDBFiles(path)
		return err
	}
	abandon := func(err error) error {
		g.stop()
		<-g.done
		g.db.Close()
		removeDBFiles(path)
		return err
	}
	// Catch up with the live generation, stop it, and catch up with where
	// it stopped: no reader ever sees the read models go back in time.
	if err := db.WaitFor(ctx, old.db.Checkpoint()); err != nil {
		return abandon(err)
	}
	old.stop()
	<-old.done
	if err := db.WaitFor(ctx, old.db.Checkpoint()); err != nil {
		// Keep serving from the old generation.
		m.restart(old)
		return abandon(err)
	}
	if err := writeLine(m.pointerPath(), filepath.Base(path)); err != nil {
		m.restart(old)
		return abandon(err)
	}
	m.cur.Store(g)
	old.db.notes.retire()
	old.retire()
	m.cfg.Logger.Info("read models swapped", "from", old.name, "to", g.name, "checkpoint", db.Checkpoint())
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		<-old.drained
		old.db.Close()
		removeDBFiles(old.db.Path())
	}()
	return nil
}

// restart starts the projector of a generation again after a swap that
// did not happen.
func (m *Manager) restart(old *generation) { m.run(old) }

// nextGenerationPath returns Path.gen-<n> with n above every generation
// file present.
func (m *Manager) nextGenerationPath() string {
	n := 0
	matches, _ := filepath.Glob(m.cfg.Path + ".gen-*")
	for _, f := range matches {
		rest := strings.TrimPrefix(f, m.cfg.Path+".gen-")
		rest, _, _ = strings.Cut(rest, "-")
		if k, err := strconv.Atoi(rest); err == nil && k > n {
			n = k
		}
	}
	return fmt.Sprintf("%s.gen-%d", m.cfg.Path, n+1)
}

// writeLine replaces the file at path with line and a newline, as a
// whole or not at all (atomicfile: temporary file, fsync, rename), then
// fsyncs the directory: the pointer file, the open mark (openmark.go).
func writeLine(path, line string) error {
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, line+"\n")
		return err
	})
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// Close stops the projector and closes the database once the queries in
// progress are done. Closing twice is harmless.
func (m *Manager) Close() error {
	m.closeOnce.Do(func() {
		m.cancel()
		m.wg.Wait()
		g := m.cur.Load()
		g.retire()
		<-g.drained
		m.closeErr = g.db.Close()
	})
	return m.closeErr
}

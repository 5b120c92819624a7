package sqlite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/privacy"
	"github.com/erasmus-ledger/grants/projections"
)

// Hooks let tests inject failures into a Projector at precise points. A
// hook returning an error aborts the batch (its transaction is rolled
// back) and stops the projector with that error.
type Hooks struct {
	// AfterApply runs inside the batch transaction after each event.
	AfterApply func(seq uint64) error
	// BeforeCommit runs after the batch's rows and checkpoint are written,
	// just before COMMIT, with the batch's last sequence.
	BeforeCommit func(seq uint64) error
}

// ProjectorConfig tunes a Projector. The zero value is usable.
type ProjectorConfig struct {
	// Registry upcasts payloads; default aggregates.Registry().
	Registry *events.Registry
	// BatchSize is the most events one transaction holds (default 4096).
	BatchSize int
	// CommitInterval groups the commits of a projector that follows the
	// stream (Run) under load: once it has caught up it commits at once
	// if its last commit is at least this old or held few events (less
	// than GroupAfter), else when that much time has passed since it (or
	// the batch is full), applying what arrives meanwhile in the same
	// transaction. An event arriving after a quiet moment, or one at a
	// time, is committed at once; under a steady stream the commits come
	// at most this often, each holding more events, so that a commit's
	// fixed cost (the WAL frames of the pages every event touches, the
	// checkpoint row) is shared. A read waiting for a sequence (WaitFor)
	// ends the wait: what is held is committed at once. Default
	// DefaultCommitInterval; negative: commit whenever caught up.
	CommitInterval time.Duration
	// GroupAfter is how many events the last commit must have held for
	// CommitInterval to group the next (default DefaultGroupAfter).
	GroupAfter int
	// Logger receives progress and errors; nil discards them.
	Logger *slog.Logger
	// Hooks inject failures (tests).
	Hooks Hooks
	// Progress, if set, is called after every commit with the sequence
	// committed.
	Progress func(seq uint64)
	// KeyRing, if set, makes the projector apply only the events that
	// pass their checks (signature, hash, chain; see guard) and quarantine
	// the others. Without it every readable event is applied.
	KeyRing *events.KeyRing
	// OwnSignatures, if set with KeyRing, recognises the events this very
	// process has just signed (events.RecentSigner, the store's signer):
	// their hashes and chains are checked, but a signature made a moment
	// ago for the same hash is not verified again (the Ed25519
	// verification was the projector's largest cost per event). Any other
	// event is verified as before.
	OwnSignatures interface {
		SignedHere(e *events.Envelope) bool
	}
	// Vault, if set, opens the participants' sealed personal data
	// (PD-SEALED); without it no sealed block is opened.
	Vault pii.Vault
	// KeepSealed, with a Vault, keeps an AES-256-GCM block sealed in the
	// stream instead of opening it: the participant's row names the
	// event by its sequence and the block is read and opened when the
	// participant is shown (Options.Vault and Source), so the projector
	// decrypts and copies nothing and needs no key, and a destroyed key
	// leaves the row unreadable (crypto-shredding). grants serve's read
	// models keep the blocks sealed; a file built for a disclosure opens
	// them.
	KeepSealed bool
	// Pseudonyms, if set, build an analyst's pseudonymous file
	// (PD-EXPORT-PSEUDONYMOUS): the acting users' IDs replaced by their
	// pseudonyms, the free-text reasons given with commands left out and
	// no participants row written, so that no personal value is ever
	// written to the file (pseudonymous.go).
	Pseudonyms *privacy.Pseudonymiser
	// Started, if set, is called when Run or CatchUp has checked the file
	// against the stream and starts reading it.
	Started func()
}

// Projector applies the event stream to the read models of one DB,
// exactly once: each batch is one transaction that also moves the
// checkpoint. Only one Projector may run on a DB at a time.
type Projector struct {
	db  *DB
	cfg ProjectorConfig
	dec decoder
	mu  sync.Mutex // held while running
	a   *applier
	// g checks the events (with a key ring); heads are the chain heads
	// the open batch moved (written with it, except in bulk mode, where
	// the guard's heads are written at the end).
	g     *guard
	heads map[string]events.Head
	// skip, set for a catch-up bounded on the effective clock, leaves out
	// the events (checked by the guard) that are not in the history as
	// of the bound.
	skip func(*events.Envelope) bool

	holesMu sync.Mutex
	holes   []events.Hole

	// touched is what the open batch changed, stamped at its commit
	// (stamps.go).
	touched touchSet

	// load measures the last bounded catch-up (stalls.go).
	load loadStats
}

// Holes returns the runs of sequences this projector found missing from
// the stream (records NATS dropped), each also logged as an error.
func (p *Projector) Holes() []events.Hole {
	p.holesMu.Lock()
	defer p.holesMu.Unlock()
	return append([]events.Hole(nil), p.holes...)
}

// noteHoles notes the runs of h that hold no signed checkpoint (a
// checkpoint takes a sequence of the stream but is not an event).
func (p *Projector) noteHoles(ctx context.Context, src projections.Source, h events.Hole) {
	real, err := events.WithoutCheckpoints(ctx, src, h)
	if err != nil {
		real = []events.Hole{h}
	}
	for _, r := range real {
		p.noteHole(r)
	}
}

// noteHole records and logs a run of missing sequences.
func (p *Projector) noteHole(h events.Hole) {
	p.holesMu.Lock()
	p.holes = append(p.holes, h)
	p.holesMu.Unlock()
	p.cfg.Logger.Error("events missing from the stream: NATS dropped these records (a damaged block file?); the read models lack them",
		"sequences", h.String(), "count", h.Count())
}

// NewProjector returns a projector writing to db.
func NewProjector(db *DB, cfg ProjectorConfig) (*Projector, error) {
	if cfg.Registry == nil {
		cfg.Registry = aggregates.Registry()
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 4096
	}
	if cfg.CommitInterval == 0 {
		cfg.CommitInterval = DefaultCommitInterval
	}
	if cfg.GroupAfter <= 0 {
		cfg.GroupAfter = DefaultGroupAfter
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if db.w == nil {
		return nil, errors.New("the read-model database is closed")
	}
	a, err := newApplier(db.w)
	if err != nil {
		return nil, err
	}
	// A Bulk database is a rebuild's throwaway file (Open refuses to
	// bulk-load anything else). Its projector keeps the cached rows
	// (organisations, projects, statistics) in memory until CatchUp ends
	// instead of writing them with every batch, so its intermediate
	// commits are not "all events up to the checkpoint", which does not
	// matter for a file deleted on failure; it addresses mobilities by
	// rowid and starts the file's writeback after each commit.
	a.bulk = db.mode == Bulk
	a.vault = cfg.Vault
	a.keepSealed = cfg.KeepSealed
	a.pseudonyms = cfg.Pseudonyms
	return &Projector{db: db, cfg: cfg, dec: decoder{reg: cfg.Registry, hs: handlers()}, a: a}, nil
}

// Run follows the stream from the checkpoint on and applies every event
// until ctx ends (it then returns nil) or an event cannot be projected (it
// returns the error; events before it are committed).
func (p *Projector) Run(ctx context.Context, src projections.Source) error {
	err := p.pipeline(ctx, src, false, func(ctx context.Context, from uint64, fn func(events.Envelope) error) error {
		return src.Subscribe(ctx, from, fn)
	}, nil)
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil
	}
	return err
}

// Until bounds a catch-up or rebuild. The zero Until means "up to the
// last event at the start".
type Until struct {
	// Sequence, if not 0, is the last sequence applied.
	Sequence uint64
	// Time, if not zero, is the last instant included, on Axis.
	Time time.Time
	// Axis is the clock Time is read on (rule ASOF-CLOCK): on the
	// recorded clock (the default) the rebuild stops before the first
	// event recorded after Time; on the effective clock it reads the
	// whole stream and applies each aggregate's events up to the first
	// that took effect after Time (events.Cut).
	Axis events.TimeAxis
}

// errUntil ends a bounded catch-up early.
var errUntil = errors.New("until reached")

// reached reports whether env lies beyond the bound.
func (u Until) reached(env *events.Envelope) bool {
	return (u.Sequence != 0 && env.Sequence > u.Sequence) || (!u.Time.IsZero() && u.Axis != events.Effective && env.RecordedAt.After(u.Time))
}

// CatchUp applies the events from the checkpoint up to the stream's last
// event at the time of the call, bounded by until, and returns the
// checkpoint reached.
func (p *Projector) CatchUp(ctx context.Context, src projections.Source, until Until) (uint64, error) {
	stoppedAtTime := false
	if until.Axis == events.Effective && !until.Time.IsZero() {
		cut := events.NewCut(events.AsOf{At: until.Time, Axis: events.Effective})
		p.skip = func(env *events.Envelope) bool { return !cut.Includes(env) }
		defer func() { p.skip = nil }()
	}
	err := p.pipeline(ctx, src, true, func(ctx context.Context, from uint64, fn func(events.Envelope) error) error {
		err := src.Events(ctx, from, until.Sequence, func(env events.Envelope) error {
			if until.reached(&env) {
				stoppedAtTime = true
				return errUntil
			}
			return fn(env)
		})
		if errors.Is(err, errUntil) {
			return nil
		}
		return err
	}, func() uint64 {
		// A bound by sequence is reached unless the records up to it are
		// missing: that is a hole at the end.
		if stoppedAtTime {
			return 0
		}
		return until.Sequence
	})
	if err == nil && p.a.bulk {
		err = p.flushCached()
	}
	return p.db.Checkpoint(), err
}

// writeGuardHeads writes every head the guard holds (the end of a bulk
// catch-up, whose batches leave them out).
func (p *Projector) writeGuardHeads() error {
	if p.g == nil {
		return nil
	}
	heads := make(map[string]events.Head, len(p.g.chains))
	for ref, c := range p.g.chains {
		if c.Head.Version > 0 {
			heads[ref.Subject()] = c.Head
		}
	}
	return p.a.writeHeads(heads)
}

// flushCached writes the cached rows a deferred catch-up kept in memory.
func (p *Projector) flushCached() error {
	a := p.a
	// The tables the cached state fills at the end are written into a
	// scratch file on another goroutine (bulkaux.go), copied in by
	// finishBulk.
	projects := make([]*projectRow, 0, len(a.projects))
	for _, pr := range a.projects {
		if pr != nil {
			projects = append(projects, pr)
		}
	}
	slices.SortFunc(projects, func(x, y *projectRow) int { return strings.Compare(x.id, y.id) })
	aux, err := startBulkAux(p.db, projects, a.partRows, a.partKeys)
	if err != nil {
		return err
	}
	a.aux, p.db.aux = aux, aux
	if err := a.begin(); err != nil {
		return err
	}
	err = a.flush()
	a.aux = nil
	if err != nil {
		a.rollback()
		return err
	}
	if err := p.writeGuardHeads(); err != nil {
		a.rollback()
		return err
	}
	return a.commitOnly()
}

// DefaultGroupAfter is ProjectorConfig.GroupAfter's default: several
// events arriving while one batch was applied and committed tell of a
// stream under load, where waiting fills the next batch; a client that writes and then reads
// without Grants-Min-Sequence, one request at a time (a web form and the
// page after it), sees its write committed at once, as before.
const DefaultGroupAfter = 4

// DefaultCommitInterval is ProjectorConfig.CommitInterval's default. A
// read that waits for a sequence (WaitFor, read-your-writes) does not wait
// for it: it has what the projector holds committed at once (notifier).
// At 5 ms a commit held 9-12 events of a relaxed report load, and the
// projector took 73-86 µs an event, a fifth of the server's CPU. A commit's
// cost is its pages, and most of them are per project (its row, budget,
// participants, the index pages of its mobilities and audit lines): at
// 15 ms the 32 connections' reports still met about once per project per
// commit, so little was shared. At 60 ms (session 15, pprof of the server
// under the relaxed report benchmark) the commits' CPU per report fell to
// 38 % and the projector's to 65 %. Only a read that does not ask for a
// sequence (no Grants-Min-Sequence) sees the wait; the web pages settle on
// theirs (WaitFor) and are not delayed.
const DefaultCommitInterval = 50 * time.Millisecond

// item is one decoded event on its way from the reader to the writer.
type item struct {
	env events.Envelope
	h   *handler
	v   any
	err error
	// prob, when set, keeps the event out: it is quarantined.
	prob *events.Problem
}

// chunkSize is how many decoded events a bounded catch-up's reader hands
// to the writer at a time, and chunksInFlight how many chunks may wait
// between them: one channel operation per chunk instead of per event, and
// about a thousand decoded events in memory (with their payloads) rather
// than two batches' worth, which kept the collector's heap goal high.
// Four, not sixteen: sixteen chunks held about 6 MB of decoded events,
// several times a core's cache, so the writer met each payload cold; with
// four the replay of 1 010 200 events took 9.8 and 9.9 s against 10.7 and
// 10.9 s, alternating on the idle machine (session 12).
const (
	chunkSize      = 256
	chunksInFlight = 4
)

// pipeline checks that src is the stream the read models were built from,
// notes every run of sequences missing between the events it reads (and,
// if end is set and returns a sequence, between the last one read and
// it),
// then reads with feed in one goroutine (decoding payloads there) and
// writes batches in the calling goroutine. With fill (a bounded catch-up,
// whose feed returns at its end) the reader hands over chunks of
// chunkSize events and every batch but the last holds BatchSize events;
// without (following the stream) it hands over every event at once and a
// batch holds what has arrived, so that a new event is applied at once.
func (p *Projector) pipeline(ctx context.Context, src projections.Source, fill bool, feed func(ctx context.Context, from uint64, fn func(events.Envelope) error) error, end func() uint64) error {
	if !p.mu.TryLock() {
		return errors.New("the projector is already running")
	}
	defer p.mu.Unlock()
	p.a.reset()
	if err := p.db.VerifyStream(ctx, src); err != nil {
		return err
	}
	p.g, p.heads = nil, map[string]events.Head{}
	if p.cfg.KeyRing != nil {
		g, err := newGuard(ctx, p.db, src, p.cfg.KeyRing, p.cfg.Logger)
		if err != nil {
			return err
		}
		g.own = p.cfg.OwnSignatures
		p.g = g
	}
	if p.cfg.Started != nil {
		p.cfg.Started()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := p.cfg.BatchSize
	size, inFlight := 1, n
	if fill {
		size, inFlight = chunkSize, chunksInFlight
	}
	// A bounded catch-up measures how its two sides wait (stalls.go).
	p.load = loadStats{start: time.Now()}
	var idle *time.Duration
	if fill {
		idle = &p.load.writerIdle
	}
	ch := make(chan []item, inFlight)
	// free returns the writer's used chunks to the reader.
	free := make(chan []item, inFlight+2)
	// A block kept sealed is only checked (keepOrOpen: no key, no copy):
	// the reader does it beside decoding the payload. Blocks to open
	// (a disclosure's file) are decrypted in a stage of their own below.
	keepInline := p.a.vault != nil && p.a.keepSealed
	var feedErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		var chunk []item
		send := func() error {
			select {
			case ch <- chunk:
				chunk = nil
				return nil
			default:
			}
			if fill {
				defer func(start time.Time) { p.load.readerBlocked += time.Since(start) }(time.Now())
			}
			select {
			case ch <- chunk:
				chunk = nil
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		from := p.db.Checkpoint() + 1
		gaps := events.NewGapFinder(from)
		feedErr = feed(ctx, from, func(env events.Envelope) error {
			if h, found := gaps.See(env.Sequence); found {
				p.noteHoles(ctx, src, h)
			}
			if chunk == nil {
				select {
				case chunk = <-free:
				default:
					chunk = make([]item, 0, size)
				}
			}
			// The event is checked and decoded in its place in the chunk:
			// a pointer to the parameter would move every event to the heap.
			chunk = append(chunk, item{env: env})
			it := &chunk[len(chunk)-1]
			e := &it.env
			switch {
			case p.g != nil:
				if it.prob = p.g.check(e); it.prob == nil {
					if p.skip != nil && p.skip(e) {
						*it, chunk = item{}, chunk[:len(chunk)-1]
						return nil // checked, but not in the history as of the bound
					}
					it.h, it.v, it.err = p.dec.decode(e)
				}
			case p.skip != nil && e.Damage == "" && p.skip(e):
				*it, chunk = item{}, chunk[:len(chunk)-1]
				return nil
			case e.Damage != "":
				it.err = fmt.Errorf("the stored event at sequence %d cannot be read: %s", e.Sequence, e.Damage)
			default:
				it.h, it.v, it.err = p.dec.decode(e)
			}
			if keepInline {
				preOpen(p.a.vault, true, it)
			}
			err := it.err
			if len(chunk) == size || err != nil {
				if serr := send(); serr != nil {
					return serr
				}
			}
			return err
		})
		if len(chunk) > 0 {
			send()
		}
		if p.g != nil && feedErr == nil {
			p.g.finish(p.db.Checkpoint())
		}
		if feedErr == nil && end != nil {
			if h, found := gaps.End(end()); found {
				p.noteHoles(ctx, src, h)
			}
		}
	}()
	in := ch
	if fill && p.a.vault != nil && !keepInline {
		// The sealed personal data is opened (AES-GCM, PD-SEALED) in a
		// stage of its own, so that it runs beside the writer on another
		// core instead of in the writer's goroutine. A catch-up that
		// keeps the blocks sealed needs no such stage: a stage between
		// reader and writer holds twice the decoded events in flight,
		// which the writer then meets cold in the cache.
		opened := make(chan []item, inFlight)
		go func() {
			defer close(opened)
			for chunk := range ch {
				for i := range chunk {
					preOpen(p.a.vault, false, &chunk[i])
				}
				opened <- chunk
			}
		}()
		in = opened
	}
	var (
		b   batch
		err error
		// lastCommit is when the last commit ended; due, when set, fires
		// at the grouped commit of a caught-up batch (CommitInterval).
		lastCommit time.Time
		timer      *time.Timer
		due        <-chan time.Time
	)
	// lastSize is how many events the last commit held.
	lastSize := 0
	commit := func() error {
		due = nil
		if timer != nil {
			timer.Stop()
		}
		lastSize = b.n
		start := time.Now()
		err := p.commit(&b)
		lastCommit = time.Now()
		if fill {
			p.load.commits += lastCommit.Sub(start)
		}
		return err
	}
	for err == nil {
		var (
			chunk []item
			ok    bool
		)
		if due != nil {
			select {
			case chunk, ok = <-in:
			case <-due:
				err = commit()
				continue
			case <-p.db.notes.wanted:
				// A read waits for a sequence: commit what is held now.
				err = commit()
				continue
			}
		} else {
			chunk, ok = receive(in, idle)
		}
		if !ok {
			break
		}
		var stop error
		for i := range chunk {
			it := &chunk[i]
			if it.err != nil {
				stop = it.err
				break
			}
			if err = p.apply(&b, it); err != nil {
				break
			}
			if it.h != nil && it.h.release != nil {
				it.h.release(it.v)
			}
		}
		clear(chunk)
		select {
		case free <- chunk[:0]:
		default:
		}
		switch {
		case err != nil:
		case stop != nil:
			// The events before the one that cannot be decoded are kept.
			if err = commit(); err == nil {
				err = stop
			}
		case b.n >= n:
			err = commit()
		case !fill && len(in) == 0 && due == nil:
			// Only this goroutine receives: an empty channel means that
			// nothing more has arrived. Commit now, or group with what
			// arrives until the interval since the last commit is over.
			var wait time.Duration
			if p.cfg.CommitInterval > 0 && lastSize >= p.cfg.GroupAfter {
				wait = p.cfg.CommitInterval - time.Since(lastCommit)
			}
			if wait <= 0 {
				err = commit()
				break
			}
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			due = timer.C
		}
	}
	if timer != nil {
		timer.Stop()
	}
	if err == nil {
		err = p.commit(&b) // the end of a bounded catch-up, or of Run
	}
	p.load.end = time.Now()
	if err != nil && p.a.inTx {
		p.a.rollback()
	}
	cancel()
	for range in {
	}
	<-done
	if err != nil {
		// The caller logs it (Manager: once while the failure lasts).
		p.cfg.Logger.Debug("projector stopped", "err", err, "checkpoint", p.db.Checkpoint())
		return err
	}
	if feedErr != nil && !errors.Is(feedErr, context.Canceled) {
		return fmt.Errorf("reading the event stream after sequence %d: %w", p.db.Checkpoint(), feedErr)
	}
	return feedErr
}

// batch is the writer's open transaction: how many events it has applied
// and the last of them, whose sequence the commit records as checkpoint.
type batch struct {
	n        int
	seq      uint64
	recorded time.Time
	hash     string
}

// apply applies one event in the open batch, beginning the batch's
// transaction if needed. An event at or below the checkpoint was
// delivered again by the source and is skipped.
func (p *Projector) apply(b *batch, it *item) error {
	a := p.a
	if !a.inTx {
		if err := a.begin(); err != nil {
			return err
		}
		b.seq = p.db.Checkpoint()
	}
	if it.env.Sequence <= b.seq {
		return nil
	}
	p.touched.note(&it.env)
	if it.prob != nil {
		p.cfg.Logger.Error("quarantined an event that failed its checks", "sequence", it.env.Sequence, "aggregate", it.env.Ref.String(),
			"type", it.env.Type, "kind", it.prob.Kind, "reason", it.prob.Reason)
		if err := a.quarantine(&it.env, it.prob); err != nil {
			return err
		}
	} else {
		if err := a.apply(&it.env, it.h, it.v); err != nil {
			return err
		}
		if p.g != nil && !a.bulk {
			p.heads[it.env.Ref.Subject()] = events.HeadOf(it.env)
		}
	}
	if h := p.cfg.Hooks.AfterApply; h != nil {
		if err := h(it.env.Sequence); err != nil {
			return err
		}
	}
	b.n++
	b.seq, b.recorded, b.hash = it.env.Sequence, it.env.RecordedAt, it.env.Hash
	return nil
}

// commit writes the open batch's rows and checkpoint and commits its
// transaction (it only ends the transaction when the batch applied no
// event).
func (p *Projector) commit(b *batch) error {
	a := p.a
	if !a.inTx {
		return nil
	}
	if b.n == 0 {
		a.rollback()
		return nil
	}
	flush := a.flush
	if a.bulk {
		flush = a.flushRows
	}
	if err := flush(); err != nil {
		return err
	}
	if err := a.writeHeads(p.heads); err != nil {
		return err
	}
	if err := a.writeCheckpoint(b.seq, b.recorded, b.hash); err != nil {
		return err
	}
	if h := p.cfg.Hooks.BeforeCommit; h != nil {
		if err := h(b.seq); err != nil {
			return err
		}
	}
	if err := a.commitOnly(); err != nil {
		return err
	}
	p.db.ckpt.noteCommit()
	if a.bulk {
		p.db.wb.start()
	}
	p.touched.publish(p.db.stamps, b.seq)
	p.db.notes.advance(b.seq)
	if p.cfg.Progress != nil {
		p.cfg.Progress(b.seq)
	}
	*b = batch{}
	return nil
}

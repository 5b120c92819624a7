package main

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/schedule"
)

// startGuard runs guardLedger in the background; on a stream without any
// checkpoint (the first start after the upgrade to signed events, whose
// unsigned events only a checkpoint vouches for) it writes the first one
// before grants serve takes commands.
//
// The verification of the start waits until the read models have caught
// up with the stream (caughtUp, at most maxGuardDelay): it reads the whole
// stream too, and run beside a cold catch-up it slows both on a small
// machine. It then waits guardStartDelay more: the first minute after a
// restart belongs to the requests, which load their organisations into a
// cold cache (every event they fold is checked meanwhile, as always).
//
// Among several instances of a cluster only the holder of cfg.lease
// verifies and writes checkpoints (renewed every cfg.renew); another
// takes over when the holder dies.
//
// The returned stop, called once the HTTP server has stopped (ctx ended
// before), lets the guard sign a last tail checkpoint of the events
// written until then, so that the next start checks no signature again,
// and waits for it (at most finalTailTimeout).
func startGuard(ctx context.Context, sys *system, cfg guardConfig, log *slog.Logger, caughtUp waiter) (stop func()) {
	_, any, err := sys.store.LatestCheckpoint(ctx)
	var start *verified
	if err == nil && !any && sys.signer != nil {
		cp, rep, v, err := verifyAndCheckpoint(ctx, sys, sys.store, time.Now(), true)
		if err != nil {
			log.Error("writing the first checkpoint", "err", err)
		} else {
			start = &verified{v: v, base: cp}
			logProblems(rep, log)
			log.Info("wrote the first checkpoint: it covers the events written before events were signed", "events", rep.Events, "sequence", cp.Sequence)
		}
	}
	due := &atomic.Bool{}
	if start == nil {
		go func() {
			waitCaughtUp(ctx, sys, caughtUp)
			if sleepCtx(ctx, guardStartDelay) == nil {
				due.Store(true)
			}
		}()
	}
	finish, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		guardLedger(ctx, sys, cfg, start, due.Load, finish, log)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(finish)
			select {
			case <-done:
			case <-time.After(finalTailTimeout + time.Second):
			}
		})
	}
}

// finalTailTimeout bounds the last tail checkpoint at a clean stop.
const finalTailTimeout = 10 * time.Second

// guardStartDelay is how long the verification of the start waits after
// the catch-up (issue 16: the first minute after a restart at least half
// the steady rate).
const guardStartDelay = time.Minute

// waiter waits until the read models include a sequence.
type waiter interface {
	WaitFor(ctx context.Context, seq uint64) error
}

// maxGuardDelay bounds how long the start verification waits for the
// read models: read models that cannot catch up must not keep the ledger
// unverified.
const maxGuardDelay = 10 * time.Minute

// waitCaughtUp waits until r includes the stream's end as of now (at most
// maxGuardDelay).
func waitCaughtUp(ctx context.Context, sys *system, r waiter) {
	if r == nil {
		return
	}
	last, err := sys.store.LastSequence(ctx)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, maxGuardDelay)
	defer cancel()
	_ = r.WaitFor(ctx, last)
}

// logProblems logs every unresolved problem of a verification.
func logProblems(rep events.StreamReport, log *slog.Logger) {
	for _, p := range rep.Problems {
		if !p.Resolved {
			log.Error("the ledger holds an event that failed its checks", "sequence", p.Sequence, "aggregate", p.Ref.String(), "type", p.Type, "kind", p.Kind, "reason", p.Reason)
		}
	}
}

// verified is a verification of the whole stream and the checkpoint it
// wrote, which guardLedger's tail checkpoints extend.
type verified struct {
	v    *events.StreamVerifier
	base events.StoredCheckpoint
}

// guardConfig is how guardLedger runs.
type guardConfig struct {
	// interval is the time between two verifications of the whole stream
	// (0: only at start); tail the time between two tail checkpoints of
	// the events written since the last one read (0: none).
	interval, tail time.Duration
	// lease elects the one instance that verifies and writes; it is
	// renewed every renew.
	lease schedule.Lease
	renew time.Duration
	// headsFile keeps the heads of the last checkpoint this instance
	// signed (keptHeads; "" keeps none).
	headsFile string
}

// defaultCheckpointTail is --checkpoint-tail's default: a restart checks
// again the signatures of at most about this much of the events written
// (issue 16: the first seconds after a restart stalled on the signature
// checks of every event since the hourly checkpoint).
const defaultCheckpointTail = 10 * time.Second

// guardFollow is how often the guard makes sure that it follows the
// stream between two tail checkpoints: it reads the events written since
// it last read (paced) and then follows the stream live (liveFollow), so
// that it reads each event while the embedded server still holds its
// block in memory. Read every --checkpoint-tail instead (10 s), the events
// of the last seconds were read as their blocks were about to be let go,
// and every read keeps a block's 8 MB buffer another 10 s (nats-server's
// cache expiry): at 2 300 reports/s the server's heap held 16 such
// buffers, about 25 s of writes. Read every second, they came in bursts
// that slowed the requests in flight (liveFollow).
const guardFollow = time.Second

// guardLedger verifies the stream when grants serve starts (signatures
// after the newest checkpoint, chains up to it, missing sequences), logs
// every unresolved problem with its sequence, and writes a signed
// checkpoint then and every interval while the stream moves. The first
// checkpoint after an upgrade covers the events written before events
// were signed. It returns when ctx ends.
// With start the checkpoint of the start was written already (start is
// that verification); else the verification of the start is owed, and
// runs once startDue says so.
// Between two verifications of the whole stream it verifies the events
// as they are written (hash, chain and signature, as the whole-stream
// verification does them; liveFollow, restarted every guardFollow should
// it end), and every tail
// while the stream moves it signs a checkpoint of the heads: the
// signatures a command handler or projector checks again after a restart
// are those of the last tail, not of the last hour.
// The verifications read the stream paced (pacedStore, guardDuty), so
// that they leave most of the CPU to the requests.
// Only while this instance holds cfg.lease does it verify and write; an
// instance that takes the lease over verifies at once if the stream moved.
// After ctx ends it waits for finish to close, then writes the last tail
// checkpoint if it holds the lease (on a context of its own: ctx has
// ended), releases the lease and returns.
func guardLedger(ctx context.Context, sys *system, cfg guardConfig, start *verified, startDue func() bool, finish <-chan struct{}, log *slog.Logger) {
	if sys.signer == nil {
		log.Error("no signing key: no checkpoint is written")
		return
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := cfg.lease.Release(rctx); err != nil {
			log.Warn("checkpoints: releasing the lease", "err", err)
		}
	}()
	paced := pacedStore{Store: sys.store, duty: guardDuty}
	var written uint64
	// v follows the stream after a whole-stream verification, for the
	// tail checkpoints of base, the checkpoint that verification wrote.
	var (
		v    *events.StreamVerifier
		base events.StoredCheckpoint
		// tailAt is how far v had read at its last checkpoint (base or
		// a tail), signed how many refused events that listed.
		tailAt uint64
		signed int
		// live, while set, follows the stream into v as the events are
		// written (liveFollow): v is then read through it (readV).
		live *liveFollow
	)
	stopLive := func() {
		if live != nil {
			live.stop()
			live = nil
		}
	}
	readV := func(fn func(v *events.StreamVerifier)) {
		if live != nil {
			live.with(fn)
			return
		}
		fn(v)
	}
	// verifier makes nv the verifier the tails extend, read as far as
	// its checkpoint.
	verifier := func(nv *events.StreamVerifier) {
		stopLive()
		v = nv
		if v != nil {
			tailAt, signed = v.ReadTo(), len(v.Refused())
		}
	}
	var tails events.TailCheckpointer = sys.store
	// keep writes cp, a checkpoint just signed, with its heads for the
	// next start (keptHeads).
	keep := func(cp events.Checkpoint) {
		if cfg.headsFile == "" {
			return
		}
		if err := writeKeptHeads(cfg.headsFile, cp); err != nil {
			log.Warn("checkpoints: keeping the heads for the next start", "err", err)
		}
	}
	check := func(first bool) {
		last, err := sys.store.LastSequence(ctx)
		if err != nil || (!first && last == written) {
			return
		}
		start := time.Now()
		cp, rep, nv, err := verifyAndCheckpoint(ctx, sys, paced, time.Now(), false)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("writing a checkpoint", "err", err)
			}
			return
		}
		verifier(nv)
		base = cp
		keep(cp.Checkpoint)
		logProblems(rep, log)
		if written, err = sys.store.LastSequence(ctx); err != nil {
			written = 0
		}
		log.Info("ledger verified and checkpoint written", "sequence", cp.Sequence, "chains", cp.Chains, "valid", rep.Valid,
			"refused", len(cp.Refused), "took", time.Since(start).Round(time.Millisecond))
	}
	// follow verifies the events written since the last one v read
	// (from, paced, up to the stream's end as of now) and then, with
	// goLive, follows the stream live (liveFollow) until v changes. A
	// live follow that failed drops v, as a failed read does.
	follow := func(ctx context.Context, from checkpointStore, goLive bool) {
		if v == nil || tails == nil {
			return
		}
		if live != nil {
			err := live.failed()
			if err == nil {
				return // following
			}
			live = nil
			if ctx.Err() == nil {
				log.Warn("following the new events; the next checkpoint waits for the next verification of the stream", "err", err)
			}
			v = nil
			return
		}
		last, err := sys.store.LastSequence(ctx)
		if err != nil {
			return
		}
		if own := ownSignatures(sys.signer); own != nil {
			// The events this process has just signed are recognised, not
			// verified again (hash and chain are still checked).
			v.TrustOwn(own)
		}
		if last > v.ReadTo() {
			if err := v.Extend(ctx, from, last); err != nil {
				if ctx.Err() == nil {
					log.Warn("verifying the new events; the next checkpoint waits for the next verification of the stream", "err", err)
				}
				v = nil
				return
			}
		}
		if goLive {
			live = startLiveFollow(ctx, sys.store, v)
		}
	}
	// tail follows the stream and signs a tail checkpoint of what v read,
	// if it read anything since the last one.
	tail := func(ctx context.Context, from checkpointStore, goLive bool) {
		follow(ctx, from, goLive)
		if v == nil || tails == nil {
			return
		}
		var (
			read uint64
			cp   events.Checkpoint
		)
		readV(func(v *events.StreamVerifier) {
			if read = v.ReadTo(); read > tailAt {
				cp = v.Checkpoint(sys.signer, time.Now())
			}
		})
		if read <= tailAt {
			return
		}
		if len(cp.Refused) > signed {
			log.Error("new events failed their checks; the checkpoint lists them as refused", "refused", len(cp.Refused)-signed, "sequence", cp.Sequence)
		}
		if err := tails.WriteTailCheckpoint(ctx, events.NewTailCheckpoint(cp, base, sys.signer)); err != nil {
			if ctx.Err() == nil {
				log.Error("writing a tail checkpoint", "err", err)
			}
			return
		}
		tailAt, signed = read, len(cp.Refused)
		log.Debug("new events verified and tail checkpoint written", "sequence", cp.Sequence, "base", base.At)
	}
	pending := start == nil
	if !pending {
		if w, err := sys.store.LastSequence(ctx); err == nil {
			written = w
		}
		verifier(start.v)
		base = start.base
		keep(base.Checkpoint)
	} else if rv, b := resumeFromKeptHeads(ctx, sys, cfg.headsFile); rv != nil {
		// Tails at once: the events since the kept checkpoint are
		// verified at the first tail, paced.
		verifier(rv)
		base = b
		log.Info("checkpoints: following the stream from the checkpoint this instance kept", "sequence", rv.ReadTo(), "base", b.At)
	}
	// The lease is renewed (and the owed verification of the start run)
	// every renew, every second while the verification of the start waits.
	renewT := time.NewTicker(cfg.renew)
	if pending {
		renewT.Reset(min(cfg.renew, time.Second))
	}
	defer renewT.Stop()
	holding := false
	hold := func() {
		held, err := cfg.lease.Hold(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("checkpoints: the lease is not reachable; no checkpoint this time", "err", err)
		}
		switch {
		case held && !holding:
			log.Info("checkpoints: this instance holds the lease and writes the checkpoints")
		case !held && holding:
			log.Info("checkpoints: another instance holds the lease now")
			verifier(nil) // its tails extend its own verification
		}
		holding = held
		switch {
		case held && pending:
			if startDue() {
				check(true)
				pending = false
				renewT.Reset(cfg.renew)
			}
		case held && v == nil:
			check(false) // taken over: verify if the stream moved
		}
	}
	hold()
	every := func(d time.Duration) <-chan time.Time {
		if d <= 0 {
			return nil
		}
		t := time.NewTicker(d)
		go func() { <-ctx.Done(); t.Stop() }()
		return t.C
	}
	whole, part, renew := every(cfg.interval), every(cfg.tail), renewT.C
	var step <-chan time.Time
	if cfg.tail > guardFollow {
		step = every(guardFollow)
	}
	ended := ctx.Done()
	for {
		select {
		case <-ended:
			ended, whole, part, renew, step = nil, nil, nil, nil, nil
		case <-renew:
			hold()
		case <-whole:
			if holding {
				check(false)
			}
		case <-part:
			if holding {
				tail(ctx, paced, true)
			}
		case <-step:
			if holding {
				follow(ctx, paced, true)
			}
		case <-finish:
			if holding && cfg.tail > 0 {
				// The last events are read to the stream's end, unpaced.
				stopLive()
				fctx, cancel := context.WithTimeout(context.Background(), finalTailTimeout)
				tail(fctx, sys.store, false)
				cancel()
				if v != nil {
					// The heads as v stands (the last tail's), signed as
					// of what it read.
					cp := v.Checkpoint(sys.signer, time.Now())
					keep(cp)
				}
			}
			return
		}
	}
}

// verifyLedger is the whole-stream verification of GET
// /v1/audit/verification: every signature, chain and sequence.
func verifyLedger(sys *system) func(ctx context.Context) (events.StreamReport, error) {
	return func(ctx context.Context) (events.StreamReport, error) {
		rep, _, err := events.VerifyStore(ctx, sys.store, sys.ring, events.VerifyOptions{})
		return rep, err
	}
}

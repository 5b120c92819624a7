package main

import (
	"context"
	"log/slog"
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
// Among several instances of a cluster only the holder of lease verifies
// and writes checkpoints (renewed every renew); another takes over when
// the holder dies.
func startGuard(ctx context.Context, sys *system, interval time.Duration, log *slog.Logger, caughtUp waiter, lease schedule.Lease, renew time.Duration) {
	_, any, err := sys.store.LatestCheckpoint(ctx)
	first := true
	if err == nil && !any && sys.signer != nil {
		cp, rep, err := writeCheckpoint(ctx, sys, time.Now(), true)
		if err != nil {
			log.Error("writing the first checkpoint", "err", err)
		} else {
			first = false
			logProblems(rep, log)
			log.Info("wrote the first checkpoint: it covers the events written before events were signed", "events", rep.Events, "sequence", cp.Sequence)
		}
	}
	due := &atomic.Bool{}
	if first {
		go func() {
			waitCaughtUp(ctx, sys, caughtUp)
			if sleepCtx(ctx, guardStartDelay) == nil {
				due.Store(true)
			}
		}()
	}
	go guardLedger(ctx, sys, guardConfig{interval: interval, first: first, startDue: due.Load, lease: lease, renew: renew}, log)
}

// guardConfig is how guardLedger runs.
type guardConfig struct {
	// interval is the time between two checkpoints (0: only at start).
	interval time.Duration
	// first says the verification of the start is owed; startDue tells
	// when it may run.
	first    bool
	startDue func() bool
	// lease elects the one instance that verifies and writes; it is
	// renewed every renew.
	lease schedule.Lease
	renew time.Duration
}

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

// guardLedger verifies the stream when grants serve starts (signatures
// after the newest checkpoint, chains up to it, missing sequences), logs
// every unresolved problem with its sequence, and writes a signed
// checkpoint then and every interval while the stream moves. The first
// checkpoint after an upgrade covers the events written before events
// were signed. It returns when ctx ends.
// With cfg.first false the checkpoint of the start was written already.
// The verifications read the stream paced (pacedStore, guardDuty), so
// that they leave most of the CPU to the requests. Only while this
// instance holds cfg.lease does it verify and write; an instance that
// takes the lease over writes a checkpoint at once if the stream moved.
func guardLedger(ctx context.Context, sys *system, cfg guardConfig, log *slog.Logger) {
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
	var written uint64
	check := func(first bool) {
		last, err := sys.store.LastSequence(ctx)
		if err != nil || (!first && last == written) {
			return
		}
		start := time.Now()
		cp, rep, err := writeCheckpointOn(ctx, sys, pacedStore{Store: sys.store, duty: guardDuty}, time.Now(), false)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("writing a checkpoint", "err", err)
			}
			return
		}
		logProblems(rep, log)
		if written, err = sys.store.LastSequence(ctx); err != nil {
			written = 0
		}
		log.Info("ledger verified and checkpoint written", "sequence", cp.Sequence, "chains", cp.Chains, "valid", rep.Valid,
			"refused", len(cp.Refused), "took", time.Since(start).Round(time.Millisecond))
	}
	pending := cfg.first
	if !pending {
		if w, err := sys.store.LastSequence(ctx); err == nil {
			written = w
		}
	}
	tick := cfg.renew
	if cfg.interval > 0 {
		tick = min(tick, cfg.interval)
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	var last time.Time
	wasHeld := false
	for {
		held, err := cfg.lease.Hold(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("checkpoints: the lease is not reachable; no checkpoint this time", "err", err)
		}
		if held && !wasHeld {
			log.Info("checkpoints: this instance holds the lease and writes the checkpoints")
		}
		switch {
		case held && pending:
			if cfg.startDue() {
				check(true)
				pending, last = false, time.Now()
			}
		case held && cfg.interval > 0 && (!wasHeld || time.Since(last) >= cfg.interval):
			check(false)
			last = time.Now()
		}
		wasHeld = held
		select {
		case <-ctx.Done():
			return
		case <-t.C:
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

package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/erasmus-ledger/grants/events"
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
func startGuard(ctx context.Context, sys *system, interval time.Duration, log *slog.Logger, caughtUp waiter) {
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
	go func() {
		if first {
			waitCaughtUp(ctx, sys, caughtUp)
			if sleepCtx(ctx, guardStartDelay) != nil {
				return
			}
		}
		guardLedger(ctx, sys, interval, first, log)
	}()
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
// With first false the checkpoint of the start was written already.
// The verifications read the stream paced (pacedStore, guardDuty), so
// that they leave most of the CPU to the requests.
func guardLedger(ctx context.Context, sys *system, interval time.Duration, first bool, log *slog.Logger) {
	if sys.signer == nil {
		log.Error("no signing key: no checkpoint is written")
		return
	}
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
	if first {
		check(true)
	} else if w, err := sys.store.LastSequence(ctx); err == nil {
		written = w
	}
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			check(false)
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

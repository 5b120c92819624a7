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
func startGuard(ctx context.Context, sys *system, interval time.Duration, log *slog.Logger) {
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
	go guardLedger(ctx, sys, interval, first, log)
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
		cp, rep, err := writeCheckpoint(ctx, sys, time.Now(), false)
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

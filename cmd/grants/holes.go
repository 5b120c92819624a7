package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/erasmus-ledger/grants/events"
)

// holeScanner is the part of the event store reportHoles needs.
type holeScanner interface {
	Holes(ctx context.Context) ([]events.Hole, error)
}

// reportHoles scans the stream once for records NATS dropped and logs an
// error naming each run of missing sequences (grants verify names them
// too). It runs beside the serving, so that a long stream does not delay
// the start, once the read models have caught up and the first minute has
// passed (as the guard's verification).
func reportHoles(ctx context.Context, store holeScanner, log *slog.Logger) {
	start := time.Now()
	holes, err := store.Holes(ctx)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("the check of the event stream for missing records did not finish", "err", err)
		}
		return
	}
	for _, h := range holes {
		log.Error("events missing from the stream: NATS dropped these records (a damaged block file?); restore the stream from a backup and run grants verify",
			"sequences", h.String(), "count", h.Count())
	}
	log.Info("event stream checked for missing records", "holes", len(holes), "seconds", time.Since(start).Seconds())
}

package sqlite

import (
	"log/slog"
	"time"
)

// A bulk load is a pipeline of two sides on two cores: the reader (the
// NATS client's delivery, decoding, the hash chains) hands chunks of
// decoded events to the writer (SQLite) through a short queue. When both
// keep busy, the load takes the longer side's time; when one waits for
// the other, a core idles. loadStats measures the waits, so that a
// rebuild's log tells which side bounds it and how long its serial tail
// (the cached rows, index builds, the scratch file's copy) took.
type loadStats struct {
	// writerIdle is how long the writer waited for the next chunk, and
	// readerBlocked how long the reader waited for room in the queue.
	writerIdle, readerBlocked time.Duration
	// commits is how long the writer spent in its batches' commits
	// (writing the rows queued, the checkpoint, COMMIT).
	commits time.Duration
	// start and end delimit the load phase: from the start of the reads
	// to the last batch committed.
	start, end time.Time
}

// receive receives from ch; with waited set, a receive that has to wait
// adds how long it waited (one that needs no wait reads no clock).
func receive[T any](ch <-chan T, waited *time.Duration) (T, bool) {
	if waited != nil {
		select {
		case v, ok := <-ch:
			return v, ok
		default:
		}
		defer func(start time.Time) { *waited += time.Since(start) }(time.Now())
	}
	v, ok := <-ch
	return v, ok
}

// logLoad logs the stages of a bulk rebuild up to sequence seq: its load
// phase (with the waits of its two sides) and its serial tail, from the
// end of the load until now.
func logLoad(log *slog.Logger, seq uint64, s loadStats) {
	if log == nil || s.end.IsZero() {
		return
	}
	tail := time.Since(s.end)
	log.Info("bulk rebuild stages", "checkpoint", seq,
		"load", s.end.Sub(s.start).Round(time.Millisecond), "writer_idle", s.writerIdle.Round(time.Millisecond),
		"reader_blocked", s.readerBlocked.Round(time.Millisecond), "commits", s.commits.Round(time.Millisecond),
		"tail", tail.Round(time.Millisecond))
}

package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events"
)

// idsSyncedKey is the key of GRANTS_IDS that holds the stream sequence up
// to which every aggregate's reservation is on disk: the first event of an
// aggregate at or below it never outlives its ID's reservation.
const idsSyncedKey = "_synced"

// idsMarkEvery is how often, at most, the reservations are made durable
// and the mark (idsSyncedKey) moved: after a power cut, the events above
// the mark are scanned again at start (reservedAfterCrash), about this
// much of the last writes.
const idsMarkEvery = time.Second

// reservingSyncer is the group commit's syncer on the embedded server: a
// round fsyncs the stream, and an aggregate's first append waits for that
// round alone, not for one of GRANTS_IDS before it. The stream's events
// are the record of which organisation holds an ID; the reservation is
// the index that answers it in one look-up, and it is made durable behind
// them: at most once a second, a round also fsyncs GRANTS_IDS (in the
// background) and then records the mark, the highest stream sequence
// acknowledged before that fsync began. A reservation is acknowledged by
// the server before its events are published, so every aggregate whose
// first event is at or below the mark has its reservation on disk; a
// power cut can lose only reservations of events above it, and the store
// takes those again when it opens, before any append. An fsync error of
// GRANTS_IDS stops the mark where it is (the kernel may have dropped the
// pages) until a restart, which scans from there.
type reservingSyncer struct {
	ids, stream Syncer
	s           *Store
	// lastMark is when a mark was last begun (Sync runs in one goroutine
	// at a time, the group committer's); marking is true while one is
	// under way; failed once GRANTS_IDS could not be made durable.
	lastMark time.Time
	marking  atomic.Bool
	failed   atomic.Bool
	// marks is the mark under way; stopped, once set, starts no other.
	marks   sync.WaitGroup
	stopped atomic.Bool
}

// stop waits for the mark under way and starts no other (the store is
// closing).
func (r *reservingSyncer) stop() {
	r.stopped.Store(true)
	r.marks.Wait()
}

// Sync implements Syncer.
func (r *reservingSyncer) Sync() error {
	if err := r.stream.Sync(); err != nil {
		return err
	}
	if time.Since(r.lastMark) >= idsMarkEvery && !r.failed.Load() && r.marking.CompareAndSwap(false, true) {
		if r.stopped.Load() {
			r.marking.Store(false)
			return nil
		}
		r.lastMark = time.Now()
		r.marks.Add(1)
		go r.mark(r.s.acked.Load())
	}
	return nil
}

// mark makes GRANTS_IDS durable and records that every reservation of an
// append acknowledged up to upTo is on disk. The mark itself goes to disk
// with the next one; a mark that does not is an older one, which only
// rescans more at the next start.
func (r *reservingSyncer) mark(upTo uint64) {
	defer r.marks.Done()
	defer r.marking.Store(false)
	if err := r.ids.Sync(); err != nil {
		r.failed.Store(true)
		r.s.log.Error("the reservations of aggregate IDs could not be made durable; the next start takes them again from the events", "bucket", IDsBucket, "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), r.s.timeout)
	defer cancel()
	if _, err := r.s.ids.Put(ctx, idsSyncedKey, []byte(strconv.FormatUint(upTo, 10))); err != nil {
		r.s.log.Warn("recording how far the reservations of aggregate IDs are on disk", "bucket", IDsBucket, "err", err)
	}
}

// noteAcked follows the highest stream sequence the server acknowledged.
func (s *Store) noteAcked(seq uint64) {
	for {
		old := s.acked.Load()
		if seq <= old || s.acked.CompareAndSwap(old, seq) {
			return
		}
	}
}

// Acked returns the highest stream sequence the server acknowledged to
// this store: an index made durable behind the events (the bindings of
// pooled personal-data keys) records how far it is on disk by it.
func (s *Store) Acked() uint64 { return s.acked.Load() }

// reservedAfterCrash takes again the reservations of the aggregates whose
// events lie above the mark (idsSyncedKey), which a power cut may have
// lost (reservingSyncer), then moves the mark to the stream's end and
// makes it durable with ids. Without a mark (a new store, or one last
// written by a release that made each reservation durable before its
// events) it only sets it. It runs before the store's first append.
func (s *Store) reservedAfterCrash(ctx context.Context, ids Syncer) error {
	if s.ids == nil {
		return nil
	}
	info, err := s.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("reading stream %s: %w", StreamName, err)
	}
	last := info.State.LastSeq
	e, err := s.ids.Get(ctx, idsSyncedKey)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
	case err != nil:
		return fmt.Errorf("reading %s %s: %w", IDsBucket, idsSyncedKey, err)
	default:
		mark, perr := strconv.ParseUint(string(e.Value()), 10, 64)
		if perr != nil {
			mark = 0 // unreadable: every event is scanned
		}
		if mark < last {
			n, err := s.reserveFrom(ctx, mark+1)
			if err != nil {
				return err
			}
			s.log.Info("reservations of aggregate IDs checked after the last mark", "bucket", IDsBucket, "from", mark+1, "to", last, "taken again", n)
		}
	}
	if _, err := s.ids.Put(ctx, idsSyncedKey, []byte(strconv.FormatUint(last, 10))); err != nil {
		return fmt.Errorf("writing %s %s: %w", IDsBucket, idsSyncedKey, err)
	}
	if err := ids.Sync(); err != nil {
		return fmt.Errorf("making %s durable: %w", IDsBucket, err)
	}
	s.acked.Store(last)
	return nil
}

// reserveFrom creates the reservation of every aggregate with an event at
// or after stream sequence from that has none; n is how many it created.
// An ID another organisation holds is logged: the events tell which.
func (s *Store) reserveFrom(ctx context.Context, from uint64) (n int, err error) {
	refs := map[events.Ref]bool{}
	err = s.getter.scan(ctx, events.SubjectPrefix+".>", from, func(m *nats.Msg, _ uint64) error {
		if ref, ok := refOf(m.Header.Get("Nats-Subject")); ok {
			refs[ref] = true
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("scanning stream %s from %d: %w", StreamName, from, err)
	}
	for ref := range refs {
		key := ref.Kind + "." + ref.ID
		_, err := s.ids.Create(ctx, key, []byte(ref.Org))
		if err == nil {
			n++
			continue
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return n, fmt.Errorf("reserving %s: %w", key, err)
		}
		if e, err := s.ids.Get(ctx, key); err == nil && string(e.Value()) != ref.Org {
			s.log.Error("an aggregate ID is held by two organisations", "bucket", IDsBucket, "key", key, "holder", string(e.Value()), "events of", ref.Org)
		}
	}
	return n, nil
}

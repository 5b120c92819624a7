package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// pullBatch is how many messages an ordered consumer keeps in flight.
const pullBatch = 1024

// consumerInactiveThreshold is how long the server keeps a read consumer
// nobody pulls from.
const consumerInactiveThreshold = 2 * time.Minute

// Events implements events.Store with one ordered consumer for the call.
func (s *Store) Events(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	last, err := s.LastSequence(ctx)
	if err != nil {
		return err
	}
	if to == 0 || to > last {
		// Nothing beyond the last event is waited for.
		to = last
	}
	if from == 0 {
		from = 1
	}
	if from > to {
		return nil
	}
	if to-from < directRangeMax {
		return s.eventsDirect(ctx, from, to, fn)
	}
	return s.eventsConsumed(ctx, from, to, fn)
}

// eventsConsumed reads from..to through an ordered consumer.
func (s *Store) eventsConsumed(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	return s.consume(ctx, from, s.rangeEnd(ctx, from, to), func(e events.Envelope) (bool, error) {
		if e.Sequence > to {
			return false, nil
		}
		if !isCheckpoint(&e) {
			if err := fn(e); err != nil {
				return false, err
			}
		}
		return e.Sequence < to, nil
	})
}

// directRangeMax is the longest range Events reads with direct gets
// rather than a consumer: for a few events, setting up a consumer costs more
// than the reading.
const directRangeMax = 2 * directBatch

// errRangeEnd stops a direct scan past the end of the range.
var errRangeEnd = errors.New("end of range")

// eventsDirect reads from..to with batched direct gets, then hands the
// events to fn (so that fn's time does not count against the reads).
func (s *Store) eventsDirect(ctx context.Context, from, to uint64, fn func(events.Envelope) error) error {
	rctx, cancel := s.bound(ctx)
	defer cancel()
	var envs []events.Envelope
	var seen uint64 // the last sequence the scan reached
	err := s.getter.scan(rctx, "", from, func(m *nats.Msg, seq uint64) error {
		if seq > to {
			return errRangeEnd
		}
		seen = seq
		if subject := m.Header.Get("Nats-Subject"); subject != events.CheckpointSubject {
			envs = append(envs, decodeStored(subject, m.Header, m.Data, seq))
		}
		if seq == to {
			return errRangeEnd
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRangeEnd) {
		return unavailable(err, "reading stream %s from %d to %d", StreamName, from, to)
	}
	for _, e := range envs {
		if err := fn(e); err != nil {
			return err
		}
	}
	if seen < to {
		// Any replica of a clustered stream answers a direct get, and one
		// may not have applied the newest writes yet (the leader
		// acknowledged them with a quorum): the scan ended before the last
		// sequence the leader reported. The rest comes through a consumer,
		// which waits for them (or ends at a hole past the scan's end).
		return s.eventsConsumed(ctx, seen+1, to, fn)
	}
	return nil
}

// Subscribe implements events.Store with one ordered consumer for the
// call. It returns ctx's error when ctx ends.
func (s *Store) Subscribe(ctx context.Context, from uint64, fn func(events.Envelope) error) error {
	if from == 0 {
		from = 1
	}
	return s.consume(ctx, from, nil, func(e events.Envelope) (bool, error) {
		if isCheckpoint(&e) {
			return true, nil
		}
		return true, fn(e)
	})
}

// consume reads the stream from sequence from on through an ordered
// consumer and passes each event to fn until fn says stop or fails, ctx
// ends (it returns ctx's error), idle says stop or the connection is lost.
// The consumer pushes messages to a callback (Consume): about a tenth
// cheaper per message than pulling them one by one with Next, which arms a
// heartbeat timer per call. fn is never called after consume returns.
func (s *Store) consume(ctx context.Context, from uint64, idle idleFunc, fn func(events.Envelope) (more bool, err error)) error {
	return s.consumeRaw(ctx, from, false, idle, func(msg jetstream.Msg, seq uint64) (bool, error) {
		if msg.Subject() == events.CheckpointSubject {
			// Not an event: fn sees its sequence only (isCheckpoint).
			return fn(events.Envelope{Sequence: seq})
		}
		if e, ok := s.own.get(seq, msg.Subject()); ok {
			// This store appended it: the envelope it built (ownEvents).
			return fn(e)
		}
		// A record that cannot be read is handed over with Damage set,
		// for the reader to report or quarantine.
		return fn(decodeStored(msg.Subject(), msg.Headers(), msg.Data(), seq))
	})
}

// idleFunc is asked, whenever a read has received nothing for a while,
// whether to stop (with err, nil for a normal end); seen is the last
// sequence received (0 for none) and idle how long nothing has come.
type idleFunc func(seen uint64, idle time.Duration) (stop bool, err error)

// idleCheck is how long a bounded read waits for the next message before
// it asks the stream whether one is still to come.
const idleCheck = 250 * time.Millisecond

// rangeEnd is the idle check of a read of from..to: a record that NATS
// dropped (it failed its checksum) is never delivered, though the stream's
// state still counts it, so a read that waits for the range's last
// sequence would wait for ever. When nothing arrives, it asks the stream
// for the next record after the last one received: none in the range
// ends the read (the rest of the range is missing); one that is not
// delivered within the store's request timeout is an error.
func (s *Store) rangeEnd(ctx context.Context, from, to uint64) idleFunc {
	return func(seen uint64, idle time.Duration) (bool, error) {
		next := max(seen+1, from)
		seq, found, err := s.NextSequence(ctx, next)
		if err == nil && (!found || seq > to) {
			return true, nil
		}
		if idle < s.timeout {
			return false, nil
		}
		if err == nil {
			err = fmt.Errorf("sequence %d is stored but was not delivered within %s", seq, s.timeout)
		}
		return true, unavailable(err, "reading stream %s from %d to %d", StreamName, next, to)
	}
}

// consumeRaw is consume without decoding: fn gets each message with its
// stream sequence. headersOnly asks the server for the headers alone.
func (s *Store) consumeRaw(ctx context.Context, from uint64, headersOnly bool, idle idleFunc, fn func(msg jetstream.Msg, seq uint64) (more bool, err error)) error {
	cons, err := s.readStream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   from,
		HeadersOnly:   headersOnly,
		// Should the process go away, the server drops the consumer soon.
		InactiveThreshold: consumerInactiveThreshold,
	})
	if err != nil {
		return unavailable(err, "reading stream %s from %d", StreamName, from)
	}
	var (
		mu      sync.Mutex // held while the callback runs
		stopped bool       // under mu: the callback ignores further messages
		done    = make(chan struct{})
		once    sync.Once
		result  error
		seen    atomic.Uint64 // the last sequence received
		busy    atomic.Bool   // fn is running
	)
	finish := func(err error) {
		once.Do(func() {
			result = err
			close(done)
		})
	}
	handle := func(msg jetstream.Msg) {
		mu.Lock()
		defer mu.Unlock()
		if stopped || ctx.Err() != nil {
			// Once ctx ends, nothing more is handed to fn, even before
			// consume's own goroutine takes the lock.
			return
		}
		seq, err := ackSequence(msg.Reply())
		if err != nil {
			stopped = true
			finish(corrupt(err))
			return
		}
		seen.Store(seq)
		busy.Store(true)
		more, err := fn(msg, seq)
		busy.Store(false)
		if err != nil || !more {
			stopped = true
			finish(err)
		}
	}
	onErr := func(_ jetstream.ConsumeContext, err error) {
		// The ordered consumer recreates its server-side consumer by itself
		// after most errors; a closed connection is the end.
		if s.readConn.IsClosed() {
			finish(unavailable(err, "reading stream %s", StreamName))
			return
		}
		s.log.Debug("reading the event stream", "err", err)
	}
	cc, err := cons.Consume(handle, jetstream.PullMaxMessages(pullBatch), jetstream.ConsumeErrHandler(onErr))
	if err != nil {
		return unavailable(err, "reading stream %s from %d", StreamName, from)
	}
	var tick <-chan time.Time
	if idle != nil {
		t := time.NewTicker(idleCheck)
		defer t.Stop()
		tick = t.C
	}
	last := seen.Load()
	var idleSince time.Time // when the read last made progress
wait:
	for {
		select {
		case <-done:
			break wait
		case <-ctx.Done():
			finish(ctx.Err())
			break wait
		case <-cc.Closed():
			finish(unavailable(errors.New("the consumer stopped"), "reading stream %s", StreamName))
			break wait
		case now := <-tick:
			// A callback still running (the caller is slow, not the
			// stream) counts as progress.
			if cur := seen.Load(); cur != last || busy.Load() || idleSince.IsZero() {
				last, idleSince = cur, now
				continue
			}
			if stop, err := idle(last, now.Sub(idleSince)); stop {
				finish(err)
				break wait
			}
		}
	}
	cc.Stop()
	// Wait for a callback in flight; later ones see stopped.
	mu.Lock()
	stopped = true
	mu.Unlock()
	// Remove the consumer now rather than when it goes inactive.
	if info := cons.CachedInfo(); info != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
		if err := s.readStream.DeleteConsumer(dctx, info.Name); err != nil {
			s.log.Warn("removing a read consumer", "consumer", info.Name, "err", err)
		}
		cancel()
	}
	return result
}

// isCheckpoint tells whether consume handed over a checkpoint message
// (a sequence without an event) rather than an event.
func isCheckpoint(e *events.Envelope) bool { return e.Ref.Org == "" }

// ackSequence reads the stream sequence from a consumer message's reply
// subject without the full metadata parse. The subject is
// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>
// (9 tokens), or with <domain>.<account hash> before the stream and a
// random token after (12 tokens).
func ackSequence(reply string) (uint64, error) {
	var tokens [12]string
	n, start := 0, 0
	for i := 0; i <= len(reply) && n < len(tokens); i++ {
		if i == len(reply) || reply[i] == '.' {
			tokens[n] = reply[start:i]
			n++
			start = i + 1
		}
	}
	var tok string
	switch {
	case n == 9 && tokens[0] == "$JS" && tokens[1] == "ACK":
		tok = tokens[5]
	case n >= 11 && tokens[0] == "$JS" && tokens[1] == "ACK":
		tok = tokens[7]
	default:
		return 0, fmt.Errorf("not a JetStream message: reply %q", reply)
	}
	seq, err := strconv.ParseUint(tok, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not a JetStream message: reply %q", reply)
	}
	return seq, nil
}

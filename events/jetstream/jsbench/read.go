package jsbench

import (
	"context"
	"fmt"
	"time"

	"github.com/erasmus-ledger/grants/events"
	grantsjs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// ReadResult is the read rate of the stream.
type ReadResult struct {
	// Events is the number of events each measurement read.
	Events int
	// RawDuration and RawRate: an ordered consumer on the in-process
	// connection reading messages without decoding them.
	RawDuration time.Duration
	RawRate     float64
	// StoreDuration and StoreRate: Store.Events on the in-process
	// connection, decoding every message to an Envelope.
	StoreDuration time.Duration
	StoreRate     float64
	// TCPDuration and TCPRate: Store.Events with Config.StreamConn on a
	// TCP loopback connection.
	TCPDuration time.Duration
	TCPRate     float64
}

// String renders the result on a few lines.
func (r ReadResult) String() string {
	return fmt.Sprintf("read benchmark, %d events\n"+
		"  raw ordered consumer, in-process:  %10.0f events/s (%s)\n"+
		"  Store.Events (decoded), in-process: %10.0f events/s (%s)\n"+
		"  Store.Events (decoded), TCP:        %10.0f events/s (%s)",
		r.Events, r.RawRate, r.RawDuration.Round(time.Millisecond), r.StoreRate, r.StoreDuration.Round(time.Millisecond),
		r.TCPRate, r.TCPDuration.Round(time.Millisecond))
}

// Read writes cfg.Events events and measures reading them back: raw
// through an ordered consumer, and decoded through Store.Events, in-process
// and over TCP loopback.
func Read(ctx context.Context, cfg Config) (ReadResult, error) {
	if cfg.Events <= 0 {
		cfg.Events = 100000
	}
	env, err := startBench(ctx, cfg.Dir, cfg.SyncAlways, true)
	if err != nil {
		return ReadResult{}, err
	}
	defer env.close()
	first, err := env.store.LastSequence(ctx)
	if err != nil {
		return ReadResult{}, err
	}
	if err := fill(ctx, env, cfg.Events); err != nil {
		return ReadResult{}, err
	}
	last, err := env.store.LastSequence(ctx)
	if err != nil {
		return ReadResult{}, err
	}
	n := last - first
	res := ReadResult{Events: int(n)}

	start := time.Now()
	if err := rawRead(ctx, env, first+1, last); err != nil {
		return res, err
	}
	res.RawDuration = time.Since(start)
	if res.StoreDuration, err = timeEvents(ctx, env.store, first+1, last); err != nil {
		return res, err
	}

	tcp, err := grantsjs.ConnectTCP(env.srv, "grants-bench")
	if err != nil {
		return res, err
	}
	defer tcp.Close()
	tcpStore, err := grantsjs.Open(ctx, env.nc, env.reg, grantsjs.Config{StreamConn: tcp})
	if err != nil {
		return res, err
	}
	defer tcpStore.Close()
	if res.TCPDuration, err = timeEvents(ctx, tcpStore, first+1, last); err != nil {
		return res, err
	}
	res.RawRate = float64(n) / res.RawDuration.Seconds()
	res.StoreRate = float64(n) / res.StoreDuration.Seconds()
	res.TCPRate = float64(n) / res.TCPDuration.Seconds()
	return res, nil
}

// timeEvents times reading events from..to with s.Events.
func timeEvents(ctx context.Context, s *grantsjs.Store, from, to uint64) (time.Duration, error) {
	start := time.Now()
	var n uint64
	if err := s.Events(ctx, from, to, func(events.Envelope) error { n++; return nil }); err != nil {
		return 0, err
	}
	if n != to-from+1 {
		return 0, fmt.Errorf("Store.Events read %d events, want %d", n, to-from+1)
	}
	return time.Since(start), nil
}

// fill writes total events over a few aggregates, published
// asynchronously to be quick; they are built and chained like the store's.
func fill(ctx context.Context, env *benchEnv, total int) error {
	const aggregates = 16
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	run := nuid.Next()
	heads := make([]events.Head, aggregates)
	for n := range total {
		w := n % aggregates
		envs, err := events.Build(env.reg, nil, env.signer, benchRequest(run+"READ", w, n, heads[w], at))
		if err != nil {
			return err
		}
		heads[w] = events.HeadOf(envs[0])
		msg := &nats.Msg{Subject: envs[0].Ref.Subject(), Header: nats.Header{}, Data: grantsjs.AppendCloudEvent(nil, &envs[0])}
		if _, err := env.js.PublishMsgAsync(msg); err != nil {
			return err
		}
	}
	select {
	case <-env.js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rawRead reads the stream up to last through an ordered consumer,
// touching each message's data but decoding nothing.
func rawRead(ctx context.Context, env *benchEnv, from, last uint64) error {
	stream, err := env.js.Stream(ctx, grantsjs.StreamName)
	if err != nil {
		return err
	}
	return RawRead(ctx, stream, from, last)
}

// pullBatch is how many messages an ordered consumer pulls at a time, as
// the store's reads do.
const pullBatch = 1024

// RawRead reads stream from sequence from up to last through an ordered
// consumer delivering to a callback, the way the store reads (see
// consume), touching each message's data but decoding nothing: the raw
// read rate that benchmarks compare the store's decoded reads and the
// replay with.
func RawRead(ctx context.Context, stream jetstream.Stream, from, last uint64) error {
	cons, err := stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from,
	})
	if err != nil {
		return err
	}
	done := make(chan error, 1) // one answer: the callback stops after it
	n := from
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		switch {
		case n > last:
			return
		case len(msg.Data()) == 0:
			done <- fmt.Errorf("message %d has no payload", n)
			n = last
		case n == last:
			done <- nil
		}
		n++
	}, jetstream.PullMaxMessages(pullBatch))
	if err != nil {
		return err
	}
	defer cc.Stop()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

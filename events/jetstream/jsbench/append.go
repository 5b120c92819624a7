// Package jsbench measures the event store beside raw JetStream, for
// grants bench and the tests: appends (raw publishes and Store.Append, with
// and without fsync) and reads (a raw ordered consumer and Store.Events).
// It uses only the exported API of events/jetstream, which does not link it.
package jsbench

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/events"
	grantsjs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/internal/httpbench"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Config sizes an append benchmark.
type Config struct {
	// Dir is the JetStream store directory of the benchmark's own embedded
	// server; use an empty directory.
	Dir string
	// Writers is the number of concurrent writers (default 16).
	Writers int
	// Events is the number of events each measurement writes (default 20000).
	Events int
	// SyncAlways makes the read benchmark's server fsync every write (the
	// append benchmark measures with and without).
	SyncAlways bool
}

// AppendResult compares raw JetStream publishing with Store.Append, each in
// the server's default mode and durable.
type AppendResult struct {
	// Writers is the number of concurrent writers.
	Writers int
	// Events is the number of events each of the measurements wrote.
	Events int
	// RawDuration and RawRate: plain JetStream publishes with the same
	// headers and expected-last-subject-sequence, one subject per writer,
	// on a server in its default mode (fsync every two minutes).
	RawDuration time.Duration
	RawRate     float64
	// RawSyncDuration and RawSyncRate: the same on a server that fsyncs
	// every write (sync_interval always).
	RawSyncDuration time.Duration
	RawSyncRate     float64
	// RawP99 and RawSyncP99 are the 99th percentiles of one raw publish's
	// wait for its acknowledgement, on each server: the durable one's
	// includes the disk's fsync, a floor under any durable append's.
	RawP99, RawSyncP99 time.Duration
	// StoreDuration and StoreRate: Store.Append of one event, one aggregate
	// per writer, with --durability=os-flush (on the default server).
	StoreDuration time.Duration
	StoreRate     float64
	// DurableDuration and DurableRate: Store.Append with
	// --durability=fsync (the default: group commit on the default
	// server); Syncs is the number of fsync rounds it took.
	DurableDuration time.Duration
	DurableRate     float64
	Syncs           int64
	// SyncTime is the time the fsync rounds took, together.
	SyncTime time.Duration
	// Ratio is StoreRate / RawRate.
	Ratio float64
	// DurableRatio is DurableRate / RawSyncRate: the durable append beside
	// the durable raw publish.
	DurableRatio float64
}

// String renders the result on a few lines.
func (r AppendResult) String() string {
	perSync, syncTime := 0.0, time.Duration(0)
	if r.Syncs > 0 {
		perSync = float64(r.Events) / float64(r.Syncs)
		syncTime = r.SyncTime / time.Duration(r.Syncs)
	}
	return fmt.Sprintf("append benchmark, %d events per line, %d writers\n"+
		"  raw JetStream publish, server default (fsync every 2 min): %10.0f events/s (%s), p99 %s\n"+
		"  raw JetStream publish, sync_interval always:               %10.0f events/s (%s), p99 %s\n"+
		"  Store.Append --durability=os-flush (not power-cut safe):    %10.0f events/s (%s), %.1f%% of raw default\n"+
		"  Store.Append --durability=fsync (default, group commit):    %10.0f events/s (%s), %.1f%% of raw default, %.1fx raw sync_interval always; %.1f events per fsync round of %s",
		r.Events, r.Writers,
		r.RawRate, r.RawDuration.Round(time.Millisecond), r.RawP99.Round(time.Microsecond),
		r.RawSyncRate, r.RawSyncDuration.Round(time.Millisecond), r.RawSyncP99.Round(time.Microsecond),
		r.StoreRate, r.StoreDuration.Round(time.Millisecond), 100*r.Ratio,
		r.DurableRate, r.DurableDuration.Round(time.Millisecond), 100*r.DurableRate/r.RawRate, r.DurableRatio, perSync, syncTime.Round(time.Microsecond))
}

// Payload is the event payload of the benchmarks.
type Payload struct {
	ProjectID   string `json:"project_id"`
	Participant string `json:"participant"`
	AmountCents int64  `json:"amount_cents"`
	Note        string `json:"note"`
}

// benchRegistry registers Payload.
func benchRegistry() *events.Registry {
	reg := events.NewRegistry()
	reg.Register("bench.recorded", 1, Payload{}, nil)
	return reg
}

// benchEnv runs a store on its own embedded server.
type benchEnv struct {
	srv    *grantsjs.Server
	nc     *nats.Conn
	js     jetstream.JetStream
	reg    *events.Registry
	signer events.Signer
	store  *grantsjs.Store
}

func startBench(ctx context.Context, dir string, syncAlways, listen bool) (*benchEnv, error) {
	if dir == "" {
		return nil, errors.New("benchmark store dir is not set")
	}
	port := 0
	if listen {
		port = -1
	}
	d := grantsjs.DurabilityOSFlush
	if syncAlways {
		d = grantsjs.DurabilitySyncAlways
	}
	srv, err := grantsjs.StartEmbedded(grantsjs.EmbeddedConfig{StoreDir: dir, Port: port, Durability: d})
	if err != nil {
		return nil, err
	}
	nc, err := grantsjs.ConnectInProcess(srv)
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	// Events are signed as the service signs them, with a throwaway key.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	// The raw side publishes with a JetStream context of its own.
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, err
	}
	reg, signer := benchRegistry(), events.NewEd25519Signer(priv)
	store, err := grantsjs.Open(ctx, nc, reg, grantsjs.Config{Signer: signer})
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, err
	}
	return &benchEnv{srv: srv, nc: nc, js: js, reg: reg, signer: signer, store: store}, nil
}

func (b *benchEnv) close() {
	b.store.Close()
	b.nc.Close()
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
}

// durableStore opens a second store on b's server whose appends wait for
// a group commit of the stream's block files, as OpenEmbedded's default;
// the count says how many fsync rounds ran.
func (b *benchEnv) durableStore(ctx context.Context) (*grantsjs.Store, *countingSyncer, func(), error) {
	bs, closeSyncer := grantsjs.NewStreamSyncer(b.srv, grantsjs.StreamName)
	if err := bs.Sync(); err != nil {
		closeSyncer()
		return nil, nil, nil, err
	}
	cs := &countingSyncer{Syncer: bs}
	s, err := grantsjs.Open(ctx, b.nc, b.reg, grantsjs.Config{Syncer: cs})
	if err != nil {
		closeSyncer()
		return nil, nil, nil, err
	}
	return s, cs, func() { s.Close(); closeSyncer() }, nil
}

// countingSyncer counts the Syncs it passes on and their time.
type countingSyncer struct {
	grantsjs.Syncer
	n    atomic.Int64
	nano atomic.Int64
}

// Sync implements grantsjs.Syncer.
func (c *countingSyncer) Sync() error {
	c.n.Add(1)
	start := time.Now()
	err := c.Syncer.Sync()
	c.nano.Add(int64(time.Since(start)))
	return err
}

// benchRequest is the append request of writer w's n-th event.
func benchRequest(run string, w, n int, head events.Head, at time.Time) events.AppendRequest {
	// Project IDs are global: each run has its own.
	ref := events.Ref{Org: "BENCH" + run, Kind: "project", ID: "2024-1-FI01-KA122-" + run + "-" + strconv.Itoa(100000+w)}
	return events.AppendRequest{
		Ref: ref, Expected: head,
		Meta: events.Meta{
			Actor:         events.Actor{UserID: "bench", Role: "officer"},
			CorrelationID: "bench-" + strconv.Itoa(w), RecordedAt: at,
		},
		Events: []events.Draft{{Payload: Payload{ProjectID: ref.ID, Participant: "P-" + strconv.Itoa(n), AmountCents: 123456, Note: "travel and individual support"}, OccurredAt: at}},
	}
}

// split divides total over writers.
func split(total, writers, w int) int {
	n := total / writers
	if w < total%writers {
		n++
	}
	return n
}

// benchRounds is how many alternating rounds Append runs.
const benchRounds = 6

// Append measures raw JetStream publishes and Store.Append, with the
// same concurrency and headers: raw on a server in its default mode and
// on one with sync_interval always, Store.Append on the default server
// with --durability=os-flush and with the durable default (group commit).
func Append(ctx context.Context, cfg Config) (AppendResult, error) {
	if cfg.Writers <= 0 {
		cfg.Writers = 16
	}
	if cfg.Events <= 0 {
		cfg.Events = 20000
	}
	env, err := startBench(ctx, filepath.Join(cfg.Dir, "default"), false, false)
	if err != nil {
		return AppendResult{}, err
	}
	defer env.close()
	syncEnv, err := startBench(ctx, filepath.Join(cfg.Dir, "sync-always"), true, false)
	if err != nil {
		return AppendResult{}, err
	}
	defer syncEnv.close()
	durable, syncs, closeDurable, err := env.durableStore(ctx)
	if err != nil {
		return AppendResult{}, err
	}
	defer closeDurable()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	res := AppendResult{Writers: cfg.Writers, Events: cfg.Events}
	// Aggregates of this run are new even in a directory used before.
	id := nuid.Next()

	var rawLat, syncLat latencies
	type side struct {
		run func(run string, n int) (time.Duration, error)
		d   *time.Duration
	}
	sides := []side{
		{func(run string, n int) (time.Duration, error) {
			return rawAppend(ctx, env, run, cfg.Writers, n, at, &rawLat)
		}, &res.RawDuration},
		{func(run string, n int) (time.Duration, error) {
			return rawAppend(ctx, syncEnv, run, cfg.Writers, n, at, &syncLat)
		}, &res.RawSyncDuration},
		{func(run string, n int) (time.Duration, error) {
			return storeAppend(ctx, env.store, run, cfg.Writers, n, at)
		}, &res.StoreDuration},
		{func(run string, n int) (time.Duration, error) {
			return storeAppend(ctx, durable, run, cfg.Writers, n, at)
		}, &res.DurableDuration},
	}
	// Warm up every path so that none pays for first use.
	for i, sd := range sides {
		if _, err := sd.run(id+"W"+strconv.Itoa(i), cfg.Writers*10); err != nil {
			return res, err
		}
	}
	syncs.n.Store(0)
	syncs.nano.Store(0)
	rawLat.reset()
	syncLat.reset()
	// Alternate them in rounds so that a change of load on the machine
	// weighs on all alike.
	for r := range benchRounds {
		n := split(cfg.Events, benchRounds, r)
		for i, sd := range sides {
			d, err := sd.run(id+"R"+strconv.Itoa(r)+"S"+strconv.Itoa(i), n)
			if err != nil {
				return res, err
			}
			*sd.d += d
		}
	}
	res.Syncs, res.SyncTime = syncs.n.Load(), time.Duration(syncs.nano.Load())
	res.RawP99, res.RawSyncP99 = rawLat.p99(), syncLat.p99()
	rate := func(d time.Duration) float64 { return float64(cfg.Events) / d.Seconds() }
	res.RawRate, res.RawSyncRate = rate(res.RawDuration), rate(res.RawSyncDuration)
	res.StoreRate, res.DurableRate = rate(res.StoreDuration), rate(res.DurableDuration)
	res.Ratio = res.StoreRate / res.RawRate
	res.DurableRatio = res.DurableRate / res.RawSyncRate
	return res, nil
}

// rawAppend publishes total events with js.PublishMsg from writers
// goroutines. Each writer builds its message like the store once (same
// headers, same size) and then only changes what changes per event: the
// event ID, message ID, version and expected last subject sequence.
func rawAppend(ctx context.Context, env *benchEnv, run string, writers, total int, at time.Time, lat *latencies) (time.Duration, error) {
	return parallel(writers, func(w int) error {
		envs, err := events.Build(env.reg, nil, env.signer, benchRequest(run+"raw", w, 0, events.Head{}, at))
		if err != nil {
			return err
		}
		e := envs[0]
		first := e
		h, body := make(nats.Header, 5), grantsjs.AppendCloudEvent(make([]byte, 0, 640+len(e.Payload)+len(e.Reason)), &e)
		msg := &nats.Msg{Subject: e.Ref.Subject(), Header: h, Data: body}
		var last uint64
		var own []time.Duration
		for n := range split(total, writers, w) {
			id := first.ID[:24] + fmt.Sprintf("%012x", n)
			e.ID, e.Version = id, uint64(n+1)
			if n == 1 {
				e.PrevHash = first.Hash
			}
			msg.Data = grantsjs.AppendCloudEvent(body[:0], &e)
			h[jetstream.MsgIDHeader] = []string{id}
			h[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(last, 10)}
			t0 := time.Now()
			ack, err := env.js.PublishMsg(ctx, msg)
			if err != nil {
				return err
			}
			own = append(own, time.Since(t0))
			last = ack.Sequence
		}
		lat.add(own)
		return nil
	})
}

// latencies gathers the publish latencies of a measurement's writers.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

// add takes one writer's latencies (lat may be nil: not gathered).
func (l *latencies) add(own []time.Duration) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.all = append(l.all, own...)
	l.mu.Unlock()
}

func (l *latencies) reset() {
	l.mu.Lock()
	l.all = nil
	l.mu.Unlock()
}

// p99 is the 99th percentile of the latencies gathered (0 for none).
func (l *latencies) p99() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return httpbench.Percentile(l.all, 0.99)
}

// storeAppend appends total single-event commands from writers goroutines,
// each on its own aggregate.
func storeAppend(ctx context.Context, store *grantsjs.Store, run string, writers, total int, at time.Time) (time.Duration, error) {
	return parallel(writers, func(w int) error {
		var head events.Head
		for n := range split(total, writers, w) {
			envs, err := store.Append(ctx, benchRequest(run, w, n, head, at))
			if err != nil {
				return err
			}
			head = events.HeadOf(envs[0])
		}
		return nil
	})
}

// parallel runs fn for each writer and times the whole.
func parallel(writers int, fn func(w int) error) (time.Duration, error) {
	var wg sync.WaitGroup
	errs := make([]error, writers)
	start := time.Now()
	for w := range writers {
		wg.Go(func() { errs[w] = fn(w) })
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

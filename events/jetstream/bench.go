package jetstream

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// BenchConfig sizes an append benchmark.
type BenchConfig struct {
	// Dir is the JetStream store directory of the benchmark's own embedded
	// server; use an empty directory.
	Dir string
	// Writers is the number of concurrent writers (default 16).
	Writers int
	// Events is the number of events each measurement writes (default 20000).
	Events int
	// SyncAlways makes the server fsync every write.
	SyncAlways bool
}

// BenchResult compares raw JetStream publishing with Store.Append.
type BenchResult struct {
	// Writers is the number of concurrent writers.
	Writers int
	// Events is the number of events each of the two measurements wrote.
	Events int
	// RawDuration and RawRate: plain JetStream publishes with the same
	// headers and expected-last-subject-sequence, one subject per writer.
	RawDuration time.Duration
	RawRate     float64
	// StoreDuration and StoreRate: Store.Append of one event, one aggregate
	// per writer.
	StoreDuration time.Duration
	StoreRate     float64
	// Ratio is StoreRate / RawRate.
	Ratio float64
}

// String renders the result on a few lines.
func (r BenchResult) String() string {
	return fmt.Sprintf("append benchmark, %d events, %d writers\n"+
		"  raw JetStream publish: %10.0f events/s (%s)\n"+
		"  Store.Append:          %10.0f events/s (%s)\n"+
		"  Store.Append / raw:    %9.1f%%",
		r.Events, r.Writers, r.RawRate, r.RawDuration.Round(time.Millisecond),
		r.StoreRate, r.StoreDuration.Round(time.Millisecond), 100*r.Ratio)
}

// BenchPayload is the event payload of the benchmarks.
type BenchPayload struct {
	ProjectID   string `json:"project_id"`
	Participant string `json:"participant"`
	AmountCents int64  `json:"amount_cents"`
	Note        string `json:"note"`
}

// benchRegistry registers BenchPayload.
func benchRegistry() *events.Registry {
	reg := events.NewRegistry()
	reg.Register("bench.recorded", 1, BenchPayload{}, nil)
	return reg
}

// benchEnv runs a store on its own embedded server.
type benchEnv struct {
	srv   *server.Server
	nc    *nats.Conn
	store *Store
}

func startBench(ctx context.Context, dir string, syncAlways, listen bool) (*benchEnv, error) {
	if dir == "" {
		return nil, errors.New("benchmark store dir is not set")
	}
	port := 0
	if listen {
		port = -1
	}
	srv, err := StartEmbedded(EmbeddedConfig{StoreDir: dir, Port: port, SyncAlways: syncAlways})
	if err != nil {
		return nil, err
	}
	nc, err := ConnectInProcess(srv)
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	// Events are signed as the service signs them, with a throwaway key.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	store, err := Open(ctx, nc, benchRegistry(), Config{Signer: events.NewEd25519Signer(priv)})
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, err
	}
	return &benchEnv{srv: srv, nc: nc, store: store}, nil
}

func (b *benchEnv) close() {
	b.store.Close()
	b.nc.Close()
	b.srv.Shutdown()
	b.srv.WaitForShutdown()
}

// benchRequest is the append request of writer w's n-th event.
func benchRequest(run string, w, n int, head events.Head, at time.Time) events.AppendRequest {
	ref := events.Ref{Org: "BENCH" + run, Kind: "project", ID: "2024-1-FI01-KA122-SCH-" + strconv.Itoa(100000+w)}
	return events.AppendRequest{
		Ref: ref, Expected: head,
		Meta: events.Meta{
			Actor:         events.Actor{UserID: "bench", Role: "officer"},
			CorrelationID: "bench-" + strconv.Itoa(w), RecordedAt: at,
		},
		Events: []events.Draft{{Payload: BenchPayload{ProjectID: ref.ID, Participant: "P-" + strconv.Itoa(n), AmountCents: 123456, Note: "travel and individual support"}, OccurredAt: at}},
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

// benchRounds is how many alternating rounds BenchAppend runs.
const benchRounds = 6

// BenchAppend measures, on one embedded server, (a) raw JetStream
// publishes and (b) Store.Append, with the same concurrency and headers.
func BenchAppend(ctx context.Context, cfg BenchConfig) (BenchResult, error) {
	if cfg.Writers <= 0 {
		cfg.Writers = 16
	}
	if cfg.Events <= 0 {
		cfg.Events = 20000
	}
	env, err := startBench(ctx, cfg.Dir, cfg.SyncAlways, false)
	if err != nil {
		return BenchResult{}, err
	}
	defer env.close()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	res := BenchResult{Writers: cfg.Writers, Events: cfg.Events}
	// Aggregates of this run are new even in a directory used before.
	id := nuid.Next()

	// Warm up both paths so that neither pays for first use.
	if _, err := rawAppend(ctx, env, id+"W", cfg.Writers, cfg.Writers*10, at); err != nil {
		return res, err
	}
	if _, err := storeAppend(ctx, env, id+"W", cfg.Writers, cfg.Writers*10, at); err != nil {
		return res, err
	}
	// Alternate the two in rounds so that a change of load on the machine
	// weighs on both alike.
	for r := range benchRounds {
		n := split(cfg.Events, benchRounds, r)
		run := id + strconv.Itoa(r)
		d, err := rawAppend(ctx, env, "R"+run, cfg.Writers, n, at)
		if err != nil {
			return res, err
		}
		res.RawDuration += d
		if d, err = storeAppend(ctx, env, "S"+run, cfg.Writers, n, at); err != nil {
			return res, err
		}
		res.StoreDuration += d
	}
	res.RawRate = float64(cfg.Events) / res.RawDuration.Seconds()
	res.StoreRate = float64(cfg.Events) / res.StoreDuration.Seconds()
	res.Ratio = res.StoreRate / res.RawRate
	return res, nil
}

// rawAppend publishes total events with js.PublishMsg from writers
// goroutines. Each writer builds its message like the store once (same
// headers, same size) and then only changes what changes per event: the
// event ID, message ID, version and expected last subject sequence.
func rawAppend(ctx context.Context, env *benchEnv, run string, writers, total int, at time.Time) (time.Duration, error) {
	return parallel(writers, func(w int) error {
		envs, err := events.Build(env.store.reg, nil, env.store.signer, benchRequest(run+"raw", w, 0, events.Head{}, at))
		if err != nil {
			return err
		}
		e := envs[0]
		first := e
		h, body := encodeMsg(&e, 5)
		msg := &nats.Msg{Subject: e.Ref.Subject(), Header: h, Data: body}
		var last uint64
		for n := range split(total, writers, w) {
			id := first.ID[:24] + fmt.Sprintf("%012x", n)
			e.ID, e.Version = id, uint64(n+1)
			if n == 1 {
				e.PrevHash = first.Hash
			}
			msg.Data = appendCloudEvent(body[:0], &e)
			h[jetstream.MsgIDHeader] = []string{id}
			h[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(last, 10)}
			ack, err := env.store.js.PublishMsg(ctx, msg)
			if err != nil {
				return err
			}
			last = ack.Sequence
		}
		return nil
	})
}

// storeAppend appends total single-event commands from writers goroutines,
// each on its own aggregate.
func storeAppend(ctx context.Context, env *benchEnv, run string, writers, total int, at time.Time) (time.Duration, error) {
	return parallel(writers, func(w int) error {
		var head events.Head
		for n := range split(total, writers, w) {
			envs, err := env.store.Append(ctx, benchRequest(run, w, n, head, at))
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

package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// adminReplaySubject is where a running `grants serve` takes requests to
// rebuild its read models (outside the grants.> event subjects).
const adminReplaySubject = "grants-admin.replay"

// replayProgress is one message of a rebuild's progress.
type replayProgress struct {
	Done     uint64 `json:"done"`
	Total    uint64 `json:"total"`
	Finished bool   `json:"finished,omitempty"`
	Error    string `json:"error,omitempty"`
	// Instance names the grants serve that rebuilds: on a cluster every
	// instance rebuilds its own read models and answers on the same
	// reply subject.
	Instance string `json:"instance,omitempty"`
}

// adminInstance names this process in its answers to admin requests.
var adminInstance = holderName()

// serveAdmin answers rebuild requests: the rebuild runs in this process,
// blue/green, and its progress goes to the requester's reply subject.
func serveAdmin(ctx context.Context, sys *system, rm *sqlite.Manager, log *slog.Logger) (func(), error) {
	var wg sync.WaitGroup
	sub, err := sys.nc.Subscribe(adminReplaySubject, func(m *nats.Msg) {
		if !adminRequest(m) {
			return
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runAdminReplay(ctx, sys.nc, m.Reply, rm, log)
		}()
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = sub.Unsubscribe(); wg.Wait() }, nil
}

// adminRequest tells a request from a grants command (or the nats CLI)
// from anything else on an admin subject: a message without a reply
// subject, or one a JetStream consumer delivered (its reply subject is
// the server's $JS.ACK...), is no request.
func adminRequest(m *nats.Msg) bool {
	return m.Reply != "" && !strings.HasPrefix(m.Reply, "$")
}

func runAdminReplay(ctx context.Context, nc *nats.Conn, reply string, rm *sqlite.Manager, log *slog.Logger) {
	send := func(p replayProgress) {
		p.Instance = adminInstance
		b, _ := json.Marshal(p)
		_ = nc.Publish(reply, b)
	}
	// Said at once, so that the requester knows of every instance that
	// rebuilds before the first one finishes.
	send(replayProgress{})
	var mu sync.Mutex
	var last time.Time
	var done, total uint64
	log.Info("rebuild of the read models requested")
	start := time.Now()
	err := rm.Rebuild(ctx, func(d, t uint64) {
		mu.Lock()
		defer mu.Unlock()
		done, total = d, t
		if time.Since(last) >= 200*time.Millisecond {
			last = time.Now()
			send(replayProgress{Done: d, Total: t})
		}
	})
	final := replayProgress{Done: done, Total: total, Finished: true}
	if err != nil {
		final.Error = err.Error()
		log.Error("rebuild failed", "err", err)
	} else {
		log.Info("rebuild swapped in", "events", done, "seconds", time.Since(start).Seconds(), "db", rm.Path())
	}
	send(final)
	_ = nc.Flush()
}

package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections/sqlite"
	"github.com/erasmus-ledger/grants/schedule"
	leasejs "github.com/erasmus-ledger/grants/schedule/jetstream"
)

// deadlineFlags configure the deadline scheduler of `grants serve`.
type deadlineFlags struct {
	interval *time.Duration
	leaseTTL *time.Duration
}

func addDeadlineFlags(fs *flagSet) deadlineFlags {
	return deadlineFlags{
		interval: fs.Duration("deadline-interval", time.Hour, "how often the instance holding the deadline lease records due reminders and overdue flags (LIFE-REPORT-DUE, LIFE-ASSESS-DUE); 0 disables the scheduler on this instance"),
		leaseTTL: fs.Duration("deadline-lease-ttl", 90*time.Second, "the deadline lease expires this long after its holder last renewed it (renewed every third of it); another instance then takes over"),
	}
}

// startDeadlines starts the deadline scheduler; the returned function stops
// it and releases the lease.
func startDeadlines(ctx context.Context, cfg deadlineFlags, js natsjs.JetStream, replicas int, readModels *sqlite.Manager, cmds schedule.Commands, clock events.Clock, log *slog.Logger) (func(), error) {
	if *cfg.interval <= 0 {
		log.Info("deadline scheduler disabled on this instance (--deadline-interval 0)")
		return func() {}, nil
	}
	if *cfg.leaseTTL < time.Second {
		return nil, usagef("--deadline-lease-ttl %v: want at least 1s", *cfg.leaseTTL)
	}
	kv, err := leasejs.OpenBucket(ctx, js, replicas, *cfg.leaseTTL)
	if err != nil {
		return nil, err
	}
	lease := leasejs.New(kv, "deadlines", holderName())
	s := schedule.New(lease, readModels.DeadlineCandidates, cmds, schedule.Config{Interval: *cfg.interval, Renew: *cfg.leaseTTL / 3, Clock: clock, Logger: log})
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); s.Run(sctx) }()
	return func() { cancel(); <-done }, nil
}

// holderName names this process among the lease's holders.
func holderName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

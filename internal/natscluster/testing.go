package natscluster

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// StartTest starts a cluster for a test in a directory of t.TempDir()
// (cfg.Dir, when set, is used instead) and stops every node in t.Cleanup.
// The start is polled, at most two minutes (the first ever run builds
// nats-server).
func StartTest(t testing.TB, cfg Config) *Cluster {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("starting the nats cluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("stopping the nats cluster: %v", err)
		}
	})
	return c
}

// WatchTest runs c.Watch (see WatchConfig) for a test until its cleanup,
// logging through t.
func WatchTest(t testing.TB, c *Cluster, cfg WatchConfig) {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = c.Watch(ctx, cfg)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// testWriter writes log lines to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

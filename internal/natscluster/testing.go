package natscluster

import (
	"context"
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

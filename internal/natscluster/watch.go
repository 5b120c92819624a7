package natscluster

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"syscall"
	"time"
)

// nats-server disables JetStream on a node whose store fails a write,
// for example on a full disk ("JetStream out of resources, will be
// DISABLED"), and enables it again only when its configuration is read
// again (a reload, SIGHUP). The node keeps running as a plain NATS
// server meanwhile: the cluster goes on with the other replicas, and
// this node's copy falls behind. Watch is the supervisor that makes the
// recovery happen by itself, without a restart, once the fault clears.

// WatchConfig tunes Watch; the zero value is the default.
type WatchConfig struct {
	// Every is how often each node is looked at (default 2 s).
	Every time.Duration
	// MinFree is the room, in bytes, the file system of a node's store
	// must have before its JetStream is enabled again (default 32 MiB):
	// enabling it on a disk that is still full would only disable it
	// again.
	MinFree uint64
	// Pause is the least time between two reloads of one node (default
	// 10 s): the time JetStream takes to start again and show enabled.
	Pause time.Duration
	// Log receives one line per reload and per change of a node's state
	// (default slog.Default()).
	Log *slog.Logger
}

func (w WatchConfig) withDefaults() WatchConfig {
	if w.Every <= 0 {
		w.Every = 2 * time.Second
	}
	if w.MinFree == 0 {
		w.MinFree = 32 << 20
	}
	if w.Pause <= 0 {
		w.Pause = 10 * time.Second
	}
	if w.Log == nil {
		w.Log = slog.Default()
	}
	return w
}

// nodeWatch is what Watch remembers of one node between two looks.
type nodeWatch struct {
	disabled   bool      // JetStream was seen disabled at the last look
	lastReload time.Time // the last reload Watch sent it
	waitedRoom bool      // "waiting for room" was logged for this fault
}

// Watch looks at every running node until ctx ends and reloads each one
// whose JetStream is disabled once its store's file system has
// cfg.MinFree bytes free again (see the comment above WatchConfig). It
// returns nil when ctx ends.
func (c *Cluster) Watch(ctx context.Context, cfg WatchConfig) error {
	cfg = cfg.withDefaults()
	seen := make([]nodeWatch, len(c.Nodes))
	tick := time.NewTicker(cfg.Every)
	defer tick.Stop()
	for {
		for i := range c.Nodes {
			c.look(ctx, i, &seen[i], cfg)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// look decides for node i: log a change of state, and reload the node
// when its JetStream is disabled and its store has room.
func (c *Cluster) look(ctx context.Context, i int, nw *nodeWatch, cfg WatchConfig) {
	if !c.Running(i) {
		return
	}
	n := c.Nodes[i]
	enabled, err := c.JetStreamEnabled(ctx, i)
	if err != nil {
		return // not answering: starting, stopping or busy; look again
	}
	if enabled {
		if nw.disabled {
			cfg.Log.Info("nats node: JetStream enabled again", "node", n.Name)
		}
		*nw = nodeWatch{lastReload: nw.lastReload}
		return
	}
	if !nw.disabled {
		nw.disabled = true
		cfg.Log.Warn("nats node: JetStream disabled (its store failed a write, for example on a full disk); it is enabled again once the store has room", "node", n.Name, "store", c.StoreDir(i))
	}
	free, err := freeBytes(c.StoreDir(i))
	if err != nil {
		cfg.Log.Warn("nats node: the room left in its store is not known", "node", n.Name, "err", err)
		return
	}
	if free < cfg.MinFree {
		if !nw.waitedRoom {
			nw.waitedRoom = true
			cfg.Log.Warn("nats node: waiting for room in its store", "node", n.Name, "free_bytes", free, "needed_bytes", cfg.MinFree)
		}
		return
	}
	if time.Since(nw.lastReload) < cfg.Pause {
		return
	}
	nw.lastReload = time.Now()
	if err := c.Reload(i); err != nil {
		cfg.Log.Error("nats node: reload failed", "node", n.Name, "err", err)
		return
	}
	cfg.Log.Info("nats node: reloaded to enable JetStream again (no restart)", "node", n.Name, "free_bytes", free)
}

// JetStreamEnabled tells whether node i's JetStream is enabled: its
// monitoring /healthz?js-enabled-only=true answers 200 when it is and 503
// when it is not. Any other answer is an error, not "disabled": a busy
// server answers 500 when its own 1 ms readiness check misses its
// deadline, and taking that for a disabled JetStream would make a
// watcher reload a healthy node (and a test see a fault that is not
// there).
func (c *Cluster) JetStreamEnabled(ctx context.Context, i int) (bool, error) {
	n, err := c.node(i)
	if err != nil {
		return false, err
	}
	code, status, _, err := c.fetch(ctx, n, "/healthz?js-enabled-only=true")
	if err != nil {
		return false, err
	}
	switch code {
	case http.StatusOK:
		return true, nil
	case http.StatusServiceUnavailable:
		return false, nil
	default:
		return false, fmt.Errorf("node %s: JetStream state not known: /healthz answered %s", n.Name, status)
	}
}

// freeBytes is the room an unprivileged writer has on dir's file system.
func freeBytes(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/keys"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

func init() {
	subcommands["cluster"] = subcommand{summary: "run a local three-node NATS JetStream cluster for several grants serve instances (up|down|status|reload|watch), back it up and restore it (backup|restore)", run: runCluster}
}

// clusterShared are the files every grants serve instance of a cluster
// shares, kept in the cluster directory: the event signing keys and the
// master key of the personal data.
func clusterShared(dir string) (signing, master string) {
	return filepath.Join(dir, "signing"), filepath.Join(dir, "pii", "master.key")
}

func runCluster(args []string) error {
	if len(args) == 0 {
		return usagef("grants cluster up|down|status|reload|watch|backup|restore [--dir DIR]")
	}
	action := args[0]
	fs := newFlagSet("cluster " + action)
	dir := fs.String("dir", "./data/cluster", "directory of the cluster's state: node configurations, stores, logs, identities, shared keys")
	nodes := fs.Int("nodes", 3, "number of nodes (up, on first start)")
	syncInterval := fs.String("sync-interval", "", "JetStream sync_interval of every node (up, on first start): empty = the server's default (2m; writes are durable by their 3 replicas), \"always\" = fsync each write")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long up waits for the cluster (the first run builds nats-server)")
	out := fs.String("out", "", "backup: directory to write the snapshots into (created; must not hold a backup)")
	from := fs.String("from", "", "restore: directory of a backup")
	natsURL := fs.String("nats-url", "", "backup, restore: the cluster's URLs (default: the local cluster of --dir)")
	natsNkey := fs.String("nats-nkey", "", "backup, restore: the nkey seed of an identity with every right (default: the local cluster's nats-serve.nk)")
	watch := fs.Bool("watch", true, "up: start the watcher (grants cluster watch) beside the nodes, which enables a node's JetStream again once its full disk has room")
	minFree := fs.Int64("min-free-mib", 32, "watch: MiB a node's store must have free before its JetStream is enabled again")
	if err := fs.parse(args[1:]); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	switch action {
	case "up":
		if *nodes < 1 || *nodes > 7 {
			return usagef("--nodes %d: want 1 to 7", *nodes)
		}
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		c, err := natscluster.Start(ctx, natscluster.Config{Dir: *dir, Nodes: *nodes, SyncInterval: *syncInterval, Detach: true})
		if err != nil {
			return err
		}
		signing, master := clusterShared(c.Dir)
		if _, created, err := keys.Open(signing, time.Now()); err != nil {
			return err
		} else if created {
			fmt.Fprintf(os.Stderr, "created the event signing key in %s\n", signing)
		}
		if _, err := pii.LoadOrCreateMaster(master); err != nil {
			return err
		}
		if *watch {
			if err := spawnClusterWatcher(c); err != nil {
				return err
			}
		}
		printCluster(os.Stdout, c)
		return nil
	case "down":
		c, err := natscluster.Load(*dir)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Printf("no cluster in %s\n", *dir)
			return nil
		}
		if err != nil {
			return err
		}
		if err := c.StopWatcher(); err != nil {
			return err
		}
		if err := c.Close(); err != nil {
			return err
		}
		fmt.Printf("cluster in %s stopped (its data is kept; rm -r %s to forget it)\n", c.Dir, c.Dir)
		return nil
	case "status":
		c, err := loadCluster(*dir)
		if err != nil {
			return err
		}
		down := 0
		for i, n := range c.Nodes {
			state := "stopped"
			if c.Running(i) {
				leader, err := c.MetaLeader(ctx, i)
				health := "healthy"
				if herr := c.Healthy(ctx, i); herr != nil {
					health = "unhealthy: " + herr.Error()
				}
				switch {
				case err != nil:
					state = fmt.Sprintf("running (pid %d), not answering: %v", c.Pid(i), err)
				case leader == "":
					state = fmt.Sprintf("running (pid %d), no meta leader, %s", c.Pid(i), health)
				default:
					state = fmt.Sprintf("running (pid %d), meta leader %s, %s", c.Pid(i), leader, health)
				}
			} else {
				down++
			}
			fmt.Printf("%s  %s  %s\n", n.Name, n.ClientURL(), state)
		}
		if pid := c.WatcherPid(); pid != 0 {
			fmt.Printf("watcher  running (pid %d), log %s\n", pid, c.WatcherLogPath())
		} else {
			fmt.Printf("watcher  not running (grants cluster watch --dir %s)\n", c.Dir)
		}
		printCluster(os.Stdout, c)
		if down > 0 {
			return fmt.Errorf("%d of %d nodes do not run", down, len(c.Nodes))
		}
		return nil
	case "reload":
		// A node whose disk filled has JetStream disabled until its
		// configuration is read again: no restart is needed.
		c, err := loadCluster(*dir)
		if err != nil {
			return err
		}
		for i, n := range c.Nodes {
			if !c.Running(i) {
				fmt.Printf("%s  stopped: not reloaded\n", n.Name)
				continue
			}
			if err := c.Reload(i); err != nil {
				return err
			}
			fmt.Printf("%s  reloaded (pid %d)\n", n.Name, c.Pid(i))
		}
		return nil
	case "watch":
		c, err := loadCluster(*dir)
		if err != nil {
			return err
		}
		if *minFree < 1 {
			return usagef("--min-free-mib %d: want at least 1", *minFree)
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, nil))
		log.Info("watching the cluster's nodes", "dir", c.Dir, "nodes", len(c.Nodes), "min_free_mib", *minFree)
		return c.Watch(ctx, natscluster.WatchConfig{MinFree: uint64(*minFree) << 20, Log: log})
	case "backup", "restore":
		if (action == "backup") == (*out == "") || (action == "restore") == (*from == "") {
			return usagef("grants cluster backup --out DIR, or grants cluster restore --from DIR")
		}
		nc, err := clusterAdminConn(*dir, *natsURL, *natsNkey)
		if err != nil {
			return err
		}
		defer nc.Close()
		if action == "backup" {
			return clusterBackup(ctx, nc, *out)
		}
		return clusterRestore(ctx, nc, *from)
	}
	return usagef("grants cluster %s: want up, down, status, reload, watch, backup or restore", action)
}

// loadCluster finds the cluster of dir (natscluster.Load), saying how to
// make one when there is none.
func loadCluster(dir string) (*natscluster.Cluster, error) {
	c, err := natscluster.Load(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no cluster in %s (grants cluster up)", dir)
	}
	return c, err
}

// spawnClusterWatcher starts `grants cluster watch` for c, detached
// like its nodes, unless one runs.
func spawnClusterWatcher(c *natscluster.Cluster) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this program to start the watcher: %w", err)
	}
	pid, err := c.SpawnWatcher([]string{exe, "cluster", "watch", "--dir", c.Dir})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "watcher running (pid %d), log %s\n", pid, c.WatcherLogPath())
	return nil
}

// clusterAdminConn connects with every right: to url with the seed of
// nkey, or to the local cluster of dir as its serve identity.
func clusterAdminConn(dir, url, nkey string) (*nats.Conn, error) {
	if url == "" || nkey == "" {
		c, err := natscluster.Load(dir)
		if err != nil {
			return nil, fmt.Errorf("no cluster in %s (give --nats-url and --nats-nkey for another): %w", dir, err)
		}
		if url == "" {
			url = c.URL()
		}
		if nkey == "" {
			nkey = c.Creds.Serve
		}
	}
	opt, err := nats.NkeyOptionFromSeed(nkey)
	if err != nil {
		return nil, fmt.Errorf("--nats-nkey: %w", err)
	}
	nc, err := nats.Connect(url, opt, nats.CustomInboxPrefix(jetstream.ServeInboxPrefix), nats.Timeout(5*time.Second))
	if err != nil {
		return nil, fmt.Errorf("%s is not reachable: %w", url, err)
	}
	return nc, nil
}

// clusterBackup snapshots backupStreams into out.
func clusterBackup(ctx context.Context, nc *nats.Conn, out string) error {
	if err := os.MkdirAll(out, 0o700); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(out, backupStreams[0]+".json")); err == nil {
		return fmt.Errorf("%s holds a backup already: choose another directory", out)
	}
	for _, s := range backupStreams {
		st, err := snapshotStream(ctx, nc, s, out)
		if err != nil {
			return err
		}
		fmt.Printf("%-20s %d messages, sequences %d to %d\n", s, st.Msgs, st.FirstSeq, st.LastSeq)
	}
	fmt.Printf("backup in %s; keep the signing keys and the personal-data master key apart from it\n", out)
	return nil
}

// clusterRestore restores backupStreams from dir onto a cluster that
// has none of them. A backup made before issue 16 has no key stream
// (GRANTS_PII_SUBJECT_KEYS): grants serve creates it empty at its start.
func clusterRestore(ctx context.Context, nc *nats.Conn, dir string) error {
	for _, s := range backupStreams {
		if _, err := os.Stat(filepath.Join(dir, s+".json")); s == piijs.KeysStream && errors.Is(err, os.ErrNotExist) {
			fmt.Printf("%-20s not in this backup (made before issue 16): grants serve creates it\n", s)
			continue
		}
		if err := restoreStream(ctx, nc, s, dir); err != nil {
			return err
		}
		fmt.Printf("%-20s restored\n", s)
	}
	fmt.Println("restored; start the instances with new --data-dir directories (their read models are rebuilt from the events)")
	return nil
}

// printCluster prints what an operator needs to start grants serve
// instances on the cluster.
func printCluster(w io.Writer, c *natscluster.Cluster) {
	signing, master := clusterShared(c.Dir)
	fmt.Fprintf(w, `
NATS URLs:          %s
serve identity:     %s   (every right: grants serve --nats-nkey)
service identity:   %s   (grants token/verify/... --nats-nkey)
reader identity:    %s   (nats CLI: --nkey)
signing keys:       %s   (shared by every instance)
personal-data key:  %s   (shared by every instance)

Start an API instance (each with its own --data-dir for its SQLite read models):
  grants serve --nats-url %s \
    --nats-nkey %s --replicas 3 \
    --signing-dir %s --pd-master-key %s \
    --data-dir ./data/api1 --http 127.0.0.1:8081
`, c.URL(), c.Creds.Serve, c.Creds.Service, c.Creds.Reader, signing, master,
		c.URL(), c.Creds.Serve, signing, master)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/erasmus-ledger/grants/events/keys"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

func init() {
	subcommands["cluster"] = subcommand{summary: "run a local three-node NATS JetStream cluster for several grants serve instances (up|down|status)", run: runCluster}
}

// clusterShared are the files every grants serve instance of a cluster
// shares, kept in the cluster directory: the event signing keys and the
// master key of the personal data.
func clusterShared(dir string) (signing, master string) {
	return filepath.Join(dir, "signing"), filepath.Join(dir, "pii", "master.key")
}

func runCluster(args []string) error {
	if len(args) == 0 {
		return usagef("grants cluster up|down|status [--dir DIR]")
	}
	action := args[0]
	fs := newFlagSet("cluster " + action)
	dir := fs.String("dir", "./data/cluster", "directory of the cluster's state: node configurations, stores, logs, identities, shared keys")
	nodes := fs.Int("nodes", 3, "number of nodes (up, on first start)")
	syncInterval := fs.String("sync-interval", "", "JetStream sync_interval of every node (up, on first start): empty = the server's default (2m; writes are durable by their 3 replicas), \"always\" = fsync each write")
	timeout := fs.Duration("timeout", 2*time.Minute, "how long up waits for the cluster (the first run builds nats-server)")
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
		c, err := natscluster.Start(ctx, natscluster.Config{Dir: *dir, Nodes: *nodes, SyncInterval: *syncInterval})
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
		if err := c.Close(); err != nil {
			return err
		}
		fmt.Printf("cluster in %s stopped (its data is kept; rm -r %s to forget it)\n", c.Dir, c.Dir)
		return nil
	case "status":
		c, err := natscluster.Load(*dir)
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("no cluster in %s (grants cluster up)", *dir)
		}
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
		printCluster(os.Stdout, c)
		if down > 0 {
			return fmt.Errorf("%d of %d nodes do not run", down, len(c.Nodes))
		}
		return nil
	}
	return usagef("grants cluster %s: want up, down or status", action)
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

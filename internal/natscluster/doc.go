// Package natscluster runs a real NATS JetStream cluster of nats-server
// processes on loopback ports, for scripts (grants cluster up|down|status,
// scripts/cluster.sh) and for tests (StartTest).
//
// The API, in full:
//
//   - ServerBinary(ctx) builds nats-server at the version go.mod pins
//     (go build github.com/nats-io/nats-server/v2) into the user cache,
//     once per version; $GRANTS_NATS_SERVER names a binary to use instead.
//   - Start(ctx, Config) writes the configuration of an N-node cluster
//     (default 3) under Config.Dir — one directory per node with its
//     nats.conf, JetStream store and log — with free ports chosen now,
//     starts every node and waits until the cluster has a JetStream meta
//     leader. Load(dir) finds a cluster that an earlier process started.
//   - Cluster.URL() is the comma-separated client URL list of every node;
//     Cluster.Creds names the nkey seed files of the three identities:
//     Serve (every right: what grants serve --nats-nkey uses), Service and
//     Reader (the restricted identities of events/jetstream).
//   - Cluster.Stop(i) (SIGTERM), Kill(i) (SIGKILL) and StartNode(ctx, i)
//     act on node i (0-based) as a process; WaitReady(ctx) polls until
//     every running node sees a meta leader and reports healthy;
//     MetaLeader(ctx, i) asks node i who leads; Close() stops every node.
//   - Cluster.Watch(ctx, WatchConfig) reloads (SIGHUP) a node whose
//     JetStream nats-server disabled after a failed write (a full disk)
//     once its store has room again; SpawnWatcher / StopWatcher run it as
//     a detached process (grants cluster watch) beside detached nodes,
//     and WatchTest runs it for a test.
//
// Nodes are processes of their own. Unless Config.Detach (grants cluster
// up), the kernel kills them when the process that started them dies, so
// that even a test killed before its t.Cleanup leaves none behind. Close
// (or grants cluster down) stops exactly the processes whose pid files
// the directory holds, after checking each still runs this cluster's
// configuration.
package natscluster

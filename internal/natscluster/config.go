package natscluster

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/erasmus-ledger/grants/events/jetstream"
)

// Config says what cluster Start creates.
type Config struct {
	// Dir holds the cluster's state: cluster.json, the identities' seed
	// files and one directory per node (nats.conf, jetstream/, nats.log,
	// pid). Required; created if needed.
	Dir string
	// Nodes is the node count (default 3).
	Nodes int
	// SyncInterval is JetStream's sync_interval: "" leaves the server's
	// default (2m: a write is durable by its replicas, fsynced within two
	// minutes), "always" fsyncs every write before it is acknowledged.
	SyncInterval string
	// Binary is the nats-server to run ("": ServerBinary).
	Binary string
	// Detach lets the nodes outlive this process (grants cluster up);
	// otherwise the kernel kills them when it dies, so that a test killed
	// before its cleanup leaves no node behind.
	Detach bool
}

// Credentials are the nkey seed files (mode 0600) of the cluster's users.
type Credentials struct {
	// Serve has every right: grants serve --nats-nkey (it creates the
	// stream and the key-value buckets).
	Serve string `json:"serve"`
	// Service may read the stream and send admin requests to grants
	// serve (jetstream.ServicePermissions): the other grants commands.
	Service string `json:"service"`
	// Reader may only read the stream (jetstream.ReaderPermissions): the
	// nats CLI.
	Reader string `json:"reader"`
}

// NodeInfo is one node's name and loopback ports.
type NodeInfo struct {
	// Name is the server name (n1, n2, ...).
	Name string `json:"name"`
	// ClientPort is where clients connect.
	ClientPort int `json:"client_port"`
	// ClusterPort is where the other nodes route to.
	ClusterPort int `json:"cluster_port"`
	// MonitorPort serves the HTTP monitoring endpoints (/jsz, /healthz).
	MonitorPort int `json:"monitor_port"`
}

// ClientURL is the node's client URL.
func (n NodeInfo) ClientURL() string { return fmt.Sprintf("nats://127.0.0.1:%d", n.ClientPort) }

// state is what cluster.json keeps, so that Load finds a cluster again.
type state struct {
	Name         string      `json:"name"`
	SyncInterval string      `json:"sync_interval,omitempty"`
	Binary       string      `json:"binary"`
	Creds        Credentials `json:"credentials"`
	Nodes        []NodeInfo  `json:"nodes"`
}

const (
	stateFile   = "cluster.json"
	clusterName = "grants"
	routeUser   = "route"
)

// freePorts reserves n free loopback ports at once (so that none repeats)
// and releases them for the nodes to take.
func freePorts(n int) ([]int, error) {
	ports := make([]int, n)
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		lns = append(lns, ln)
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

// identities creates (or loads) the three seed files in dir and returns
// their paths and the authorization users of the configuration.
func identities(dir string) (Credentials, []map[string]any, error) {
	creds := Credentials{
		Serve:   filepath.Join(dir, "nats-serve.nk"),
		Service: filepath.Join(dir, "nats-service.nk"),
		Reader:  filepath.Join(dir, "nats-reader.nk"),
	}
	var users []map[string]any
	for _, id := range []struct {
		path  string
		perms *server.Permissions
	}{{creds.Serve, nil}, {creds.Service, jetstream.ServicePermissions()}, {creds.Reader, jetstream.ReaderPermissions()}} {
		kp, err := jetstream.LoadOrCreateSeed(id.path)
		if err != nil {
			return creds, nil, err
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return creds, nil, err
		}
		u := map[string]any{"nkey": pub}
		if id.perms != nil {
			u["permissions"] = id.perms
		}
		users = append(users, u)
	}
	return creds, users, nil
}

// writeConfigs lays out dir for a new cluster of cfg.Nodes nodes and
// returns its state.
func writeConfigs(cfg Config) (state, error) {
	st := state{Name: clusterName, SyncInterval: cfg.SyncInterval, Binary: cfg.Binary}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return st, fmt.Errorf("cluster directory %s: %w", cfg.Dir, err)
	}
	creds, users, err := identities(cfg.Dir)
	if err != nil {
		return st, err
	}
	st.Creds = creds
	ports, err := freePorts(3 * cfg.Nodes)
	if err != nil {
		return st, err
	}
	pw := make([]byte, 16)
	if _, err := rand.Read(pw); err != nil {
		return st, err
	}
	password := hex.EncodeToString(pw)
	for i := range cfg.Nodes {
		st.Nodes = append(st.Nodes, NodeInfo{Name: fmt.Sprintf("n%d", i+1), ClientPort: ports[3*i], ClusterPort: ports[3*i+1], MonitorPort: ports[3*i+2]})
	}
	for _, n := range st.Nodes {
		var routes []string
		for _, o := range st.Nodes {
			if o.Name != n.Name {
				routes = append(routes, fmt.Sprintf("nats-route://%s:%s@127.0.0.1:%d", routeUser, password, o.ClusterPort))
			}
		}
		js := map[string]any{"store_dir": filepath.Join(nodeDir(cfg.Dir, n.Name), "jetstream")}
		if cfg.SyncInterval != "" {
			js["sync_interval"] = cfg.SyncInterval
		}
		conf := map[string]any{
			"server_name": n.Name,
			"listen":      fmt.Sprintf("127.0.0.1:%d", n.ClientPort),
			"http":        fmt.Sprintf("127.0.0.1:%d", n.MonitorPort),
			"jetstream":   js,
			"cluster": map[string]any{
				"name": clusterName, "listen": fmt.Sprintf("127.0.0.1:%d", n.ClusterPort), "routes": routes,
				"authorization": map[string]any{"user": routeUser, "password": password},
			},
			"authorization": map[string]any{"users": users},
		}
		data, err := confJSON(conf)
		if err != nil {
			return st, err
		}
		if err := os.MkdirAll(nodeDir(cfg.Dir, n.Name), 0o750); err != nil {
			return st, err
		}
		// The configuration holds the route password: only the owner reads it.
		if err := os.WriteFile(confPath(cfg.Dir, n.Name), data, 0o600); err != nil {
			return st, err
		}
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return st, err
	}
	return st, os.WriteFile(filepath.Join(cfg.Dir, stateFile), data, 0o600)
}

// confJSON renders a configuration as JSON, which nats-server reads,
// without the \u escapes of HTML characters (> in a subject) that its
// parser refuses.
func confJSON(conf any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(conf)
	return buf.Bytes(), err
}

func nodeDir(dir, name string) string  { return filepath.Join(dir, name) }
func confPath(dir, name string) string { return filepath.Join(dir, name, "nats.conf") }
func pidPath(dir, name string) string  { return filepath.Join(dir, name, "pid") }
func logPath(dir, name string) string  { return filepath.Join(dir, name, "nats.log") }

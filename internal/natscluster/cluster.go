package natscluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Cluster is a cluster of nats-server processes whose state lives in Dir.
// It is safe for concurrent use.
type Cluster struct {
	// Dir is the cluster's directory.
	Dir string
	// Creds are the seed files of the cluster's users.
	Creds Credentials
	// Nodes are the nodes' names and ports, node i at index i.
	Nodes []NodeInfo

	binary string
	detach bool
	mu     sync.Mutex
	procs  map[int]*proc // the nodes this process started and still runs
}

// proc is a node process started here: done closes once it is reaped.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// pollEvery is how often the waits look again.
const pollEvery = 25 * time.Millisecond

// stopGrace is how long Stop waits for a clean exit before it kills.
const stopGrace = 10 * time.Second

// Start creates the cluster cfg describes in cfg.Dir (or finds the one an
// earlier Start left there, keeping its ports and data), starts every node
// that does not run and waits until the cluster has a meta leader and
// every node is healthy. On error it stops what it started.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if cfg.Dir == "" {
		return nil, errors.New("natscluster: Config.Dir is not set")
	}
	if cfg.Nodes == 0 {
		cfg.Nodes = 3
	}
	if cfg.Nodes < 1 {
		return nil, fmt.Errorf("natscluster: %d nodes", cfg.Nodes)
	}
	if cfg.SyncInterval != "" && cfg.SyncInterval != "always" {
		if _, err := time.ParseDuration(cfg.SyncInterval); err != nil {
			return nil, fmt.Errorf("natscluster: sync interval %q: want \"always\" or a duration", cfg.SyncInterval)
		}
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	c, err := Load(dir)
	if errors.Is(err, os.ErrNotExist) {
		if cfg.Binary == "" {
			if cfg.Binary, err = ServerBinary(ctx); err != nil {
				return nil, err
			}
		}
		var st state
		if st, err = writeConfigs(cfg); err != nil {
			return nil, err
		}
		c = fromState(dir, st)
	} else if err != nil {
		return nil, err
	}
	if cfg.Binary != "" {
		c.binary = cfg.Binary
	}
	c.detach = cfg.Detach
	var started []int
	stopStarted := func() {
		for _, i := range started {
			_ = c.Stop(i)
		}
	}
	for i := range c.Nodes {
		if c.Running(i) {
			continue
		}
		if err := c.StartNode(ctx, i); err != nil {
			stopStarted()
			return nil, err
		}
		started = append(started, i)
	}
	if err := c.WaitReady(ctx); err != nil {
		stopStarted()
		return nil, err
	}
	return c, nil
}

// Load finds the cluster whose state is in dir, without starting anything;
// an error wrapping os.ErrNotExist means there is none.
func Load(dir string) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return fromState(dir, st), nil
}

func fromState(dir string, st state) *Cluster {
	return &Cluster{Dir: dir, Creds: st.Creds, Nodes: st.Nodes, binary: st.Binary, procs: map[int]*proc{}}
}

// URL is the client URL of every node, comma-separated (what
// grants serve --nats-url takes).
func (c *Cluster) URL() string {
	urls := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		urls[i] = n.ClientURL()
	}
	return strings.Join(urls, ",")
}

// StartNode starts node i (it must not run) and waits until it listens
// for clients; it does not wait for the cluster (WaitReady does).
func (c *Cluster) StartNode(ctx context.Context, i int) error {
	n, err := c.node(i)
	if err != nil {
		return err
	}
	if c.Running(i) {
		return fmt.Errorf("node %s already runs", n.Name)
	}
	if c.binary == "" {
		if c.binary, err = ServerBinary(ctx); err != nil {
			return err
		}
	}
	logf, err := os.OpenFile(logPath(c.Dir, n.Name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(c.binary, "-c", confPath(c.Dir, n.Name))
	cmd.Stdout, cmd.Stderr = logf, logf
	// A session of its own: the terminal's signals (Ctrl-C in the shell
	// that ran `cluster up`) do not reach the node. Unless detached, the
	// node dies with this process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if !c.detach {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting node %s: %w", n.Name, err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	c.mu.Lock()
	c.procs[i] = p
	c.mu.Unlock()
	if err := os.WriteFile(pidPath(c.Dir, n.Name), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o640); err != nil {
		c.signal(i, syscall.SIGKILL, 0)
		return err
	}
	for {
		if _, err := c.get(ctx, n, "/varz"); err == nil {
			return nil
		}
		select {
		case <-p.done:
			_ = os.Remove(pidPath(c.Dir, n.Name))
			return fmt.Errorf("node %s exited at start: %s", n.Name, c.logTail(n))
		case <-ctx.Done():
			c.signal(i, syscall.SIGKILL, 0)
			return fmt.Errorf("node %s did not listen: %w: %s", n.Name, ctx.Err(), c.logTail(n))
		case <-time.After(pollEvery):
		}
	}
}

// Stop stops node i cleanly (SIGTERM; SIGKILL after 10 s) and waits
// until it has exited. A node that does not run is no error.
func (c *Cluster) Stop(i int) error { return c.signal(i, syscall.SIGTERM, stopGrace) }

// Kill kills node i with SIGKILL, as a crash would, and waits until it
// has exited.
func (c *Cluster) Kill(i int) error { return c.signal(i, syscall.SIGKILL, 0) }

// Reload makes node i read its configuration again (SIGHUP), without a
// restart. nats-server disables JetStream on a node whose disk filled
// ("JetStream out of resources, will be DISABLED"); a reload once the disk
// has room enables it again, and the node catches up with the others.
func (c *Cluster) Reload(i int) error {
	n, err := c.node(i)
	if err != nil {
		return err
	}
	pid, _ := c.pid(i)
	if pid == 0 {
		return fmt.Errorf("node %s does not run", n.Name)
	}
	if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
		return fmt.Errorf("reloading node %s: %w", n.Name, err)
	}
	return nil
}

// Close stops every node (Stop) and returns the first error.
func (c *Cluster) Close() error {
	var first error
	for i := range c.Nodes {
		if err := c.Stop(i); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// signal sends sig to node i and waits until it exits, sending SIGKILL
// after grace.
func (c *Cluster) signal(i int, sig syscall.Signal, grace time.Duration) error {
	n, err := c.node(i)
	if err != nil {
		return err
	}
	pid, p := c.pid(i)
	if pid == 0 {
		return nil
	}
	_ = syscall.Kill(pid, sig)
	exited := func() bool {
		if p != nil {
			select {
			case <-p.done:
				return true
			default:
				return false
			}
		}
		return !c.owns(n, pid)
	}
	deadline := time.Now().Add(grace)
	for !exited() {
		if sig != syscall.SIGKILL && time.Now().After(deadline) {
			sig = syscall.SIGKILL
			_ = syscall.Kill(pid, sig)
		}
		time.Sleep(pollEvery)
	}
	c.mu.Lock()
	delete(c.procs, i)
	c.mu.Unlock()
	_ = os.Remove(pidPath(c.Dir, n.Name))
	return nil
}

// Running tells whether node i runs.
func (c *Cluster) Running(i int) bool {
	pid, _ := c.pid(i)
	return pid != 0
}

// Pid is node i's process id, 0 when it does not run.
func (c *Cluster) Pid(i int) int {
	pid, _ := c.pid(i)
	return pid
}

// pid is node i's process id (0 when it does not run) and its process
// handle when this process started it.
func (c *Cluster) pid(i int) (int, *proc) {
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	if i < 0 || i >= len(c.Nodes) {
		return 0, nil
	}
	n := c.Nodes[i]
	if p != nil {
		select {
		case <-p.done:
			return 0, nil
		default:
		}
		// Stopped by another Cluster (Load) but not reaped yet: a zombie.
		if !c.owns(n, p.cmd.Process.Pid) {
			return 0, p
		}
		return p.cmd.Process.Pid, p
	}
	data, err := os.ReadFile(pidPath(c.Dir, n.Name))
	if err != nil {
		return 0, nil
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || !c.owns(n, pid) {
		return 0, nil
	}
	return pid, nil
}

// owns tells whether pid is a live nats-server running n's configuration
// (not a process that took over a recycled pid).
func (c *Cluster) owns(n NodeInfo, pid int) bool {
	return liveWith(pid, confPath(c.Dir, n.Name))
}

// liveWith tells whether pid is a live process (not a zombie) whose
// command line holds every one of marks.
func liveWith(pid int, marks ...string) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	for _, m := range marks {
		if !bytes.Contains(cmdline, []byte(m)) {
			return false
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// A zombie (state Z after the command's closing parenthesis) has exited.
	if k := bytes.LastIndexByte(stat, ')'); k > 0 && k+2 < len(stat) && stat[k+2] == 'Z' {
		return false
	}
	return true
}

func (c *Cluster) node(i int) (NodeInfo, error) {
	if i < 0 || i >= len(c.Nodes) {
		return NodeInfo{}, fmt.Errorf("no node %d: the cluster has %d", i, len(c.Nodes))
	}
	return c.Nodes[i], nil
}

// MetaLeader asks node i which node leads the JetStream meta group (""
// when it knows none).
func (c *Cluster) MetaLeader(ctx context.Context, i int) (string, error) {
	n, err := c.node(i)
	if err != nil {
		return "", err
	}
	body, err := c.get(ctx, n, "/jsz")
	if err != nil {
		return "", err
	}
	var jsz struct {
		Meta *struct {
			Leader string `json:"leader"`
		} `json:"meta_cluster"`
	}
	if err := json.Unmarshal(body, &jsz); err != nil {
		return "", fmt.Errorf("node %s /jsz: %w", n.Name, err)
	}
	if jsz.Meta == nil {
		return "", nil
	}
	return jsz.Meta.Leader, nil
}

// Healthy tells whether node i reports itself healthy (/healthz: its
// JetStream is current with the cluster), with the reason when not.
func (c *Cluster) Healthy(ctx context.Context, i int) error {
	n, err := c.node(i)
	if err != nil {
		return err
	}
	_, err = c.get(ctx, n, "/healthz")
	return err
}

// WaitReady polls until every running node knows a meta leader and is
// healthy, or ctx ends (the error then says what was missing).
func (c *Cluster) WaitReady(ctx context.Context) error {
	for {
		missing := c.notReady(ctx)
		if missing == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster in %s not ready: %s: %w", c.Dir, missing, ctx.Err())
		case <-time.After(pollEvery):
		}
	}
}

// notReady says what keeps the cluster from being ready ("" when nothing):
// every running node must know the same meta leader and be healthy, and
// the JetStream API must answer the serve identity through every node.
func (c *Cluster) notReady(ctx context.Context) string {
	running := 0
	leaders := map[string]bool{}
	for i, n := range c.Nodes {
		if !c.Running(i) {
			continue
		}
		running++
		leader, err := c.MetaLeader(ctx, i)
		if err != nil {
			return err.Error()
		}
		if leader == "" {
			return "node " + n.Name + " knows no meta leader"
		}
		leaders[leader] = true
		if err := c.Healthy(ctx, i); err != nil {
			return err.Error()
		}
		if err := c.apiAnswers(ctx, n); err != nil {
			return fmt.Sprintf("node %s: the JetStream API does not answer: %v", n.Name, err)
		}
	}
	if running == 0 {
		return "no node runs"
	}
	if len(leaders) > 1 {
		return fmt.Sprintf("the nodes disagree on the meta leader (%d seen)", len(leaders))
	}
	return ""
}

// apiAnswers asks node n for the account's JetStream information and
// every stream's as the serve identity: they answer only once the meta
// leader and each stream's leader serve requests.
func (c *Cluster) apiAnswers(ctx context.Context, n NodeInfo) error {
	opt, err := nats.NkeyOptionFromSeed(c.Creds.Serve)
	if err != nil {
		return err
	}
	nc, err := nats.Connect(n.ClientURL(), opt, nats.Timeout(time.Second), nats.NoReconnect())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		return err
	}
	// Every stream answers once it has a leader (after a restart of the
	// whole cluster they elect one by one).
	names := js.StreamNames(ctx)
	var list []string
	for name := range names.Name() {
		list = append(list, name)
	}
	if err := names.Err(); err != nil {
		return err
	}
	for _, name := range list {
		if _, err := js.Stream(ctx, name); err != nil {
			return fmt.Errorf("stream %s: %w", name, err)
		}
	}
	return nil
}

// get fetches path from n's monitoring port; a status other than 200 is
// an error holding the body.
func (c *Cluster) get(ctx context.Context, n NodeInfo, path string) ([]byte, error) {
	code, status, body, err := c.fetch(ctx, n, path)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("node %s %s: %s: %s", n.Name, path, status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// fetch asks path of n's monitoring port, within 2 s.
func (c *Cluster) fetch(ctx context.Context, n NodeInfo, path string) (code int, status string, body []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d%s", n.MonitorPort, path), nil)
	if err != nil {
		return 0, "", nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", nil, fmt.Errorf("node %s %s: %w", n.Name, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return 0, "", nil, fmt.Errorf("node %s %s: %w", n.Name, path, err)
	}
	return resp.StatusCode, resp.Status, buf.Bytes(), nil
}

// logTail is the end of node n's log, for an error message.
func (c *Cluster) logTail(n NodeInfo) string {
	data, _ := os.ReadFile(logPath(c.Dir, n.Name))
	if len(data) > 800 {
		data = data[len(data)-800:]
	}
	return strings.TrimSpace(string(data))
}

// LogPath is node i's log file.
func (c *Cluster) LogPath(i int) string { return logPath(c.Dir, c.Nodes[i].Name) }

// StoreDir is node i's JetStream store directory.
func (c *Cluster) StoreDir(i int) string {
	return filepath.Join(nodeDir(c.Dir, c.Nodes[i].Name), "jetstream")
}

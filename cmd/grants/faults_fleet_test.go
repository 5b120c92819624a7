package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/keys"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// The fault tests (make faults runs the long versions, make test the
// short ones) run several grants serve processes against one NATS: a
// standalone server in the test process, or the three-node cluster.

// faultsLong tells whether the long versions run (GRANTS_FAULTS=long, as
// make faults sets it): minutes of load instead of seconds.
func faultsLong() bool { return os.Getenv("GRANTS_FAULTS") == "long" }

// faultNATS is the NATS the instances of a fault test share.
type faultNATS struct {
	// url is every instance's --nats-url.
	url string
	// args are the instances' credential flags (--nats-nkey or --nats-creds).
	args []string
	// replicas is the stream's and the buckets' replica count.
	replicas int
	// connect opens a connection of the test itself, with every right.
	connect func() (*nats.Conn, error)
	// cluster is the three-node cluster (nil: a standalone server).
	cluster *natscluster.Cluster
}

// allowAll is the permission of the test's writer identity: grants serve
// against an external NATS publishes events and writes the buckets.
func allowAll() *server.Permissions {
	return &server.Permissions{Publish: &server.SubjectPermission{Allow: []string{">"}}, Subscribe: &server.SubjectPermission{Allow: []string{">"}}}
}

// standaloneNATS starts a NATS server with JetStream in the test process,
// listening on a free loopback port, that the instances reach as a
// writer identity (an nkey seed file); it stops when the test ends.
func standaloneNATS(t *testing.T) faultNATS {
	t.Helper()
	seed := filepath.Join(t.TempDir(), "writer.nk")
	kp, err := jetstream.LoadOrCreateSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	srv, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Host: "127.0.0.1", Port: -1,
		Identities: []jetstream.Identity{{Name: "faults-writer", PublicKey: pub, Permissions: allowAll()}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	return faultNATS{url: jetstream.ClientURL(srv), args: []string{"--nats-nkey", seed}, replicas: 1,
		connect: func() (*nats.Conn, error) { return jetstream.ConnectInProcess(srv) }}
}

// fleet is the grants serve instances of a fault test, with what they
// share: the NATS, the signing keys, the personal-data master key.
type fleet struct {
	t       *testing.T
	nats    faultNATS
	signing string
	master  string
	extra   []string

	mu        sync.Mutex
	instances []*instance
}

// instance is one grants serve process (or none, while it is down) with
// its own data directory and read models.
type instance struct {
	dir  string
	cmd  *os.Process
	done chan error
	base string
	logs *logLines
}

// newFleet prepares n instances over nc (none started); extra are flags
// every instance gets.
func newFleet(t *testing.T, nc faultNATS, n int, extra ...string) *fleet {
	t.Helper()
	root := t.TempDir()
	f := &fleet{t: t, nats: nc, signing: filepath.Join(root, "signing"), master: filepath.Join(root, "pii", "master.key"), extra: extra}
	// The signing key exists before any instance starts, so that none
	// creates its own.
	if _, _, err := keys.Open(f.signing, time.Now()); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		f.instances = append(f.instances, &instance{dir: filepath.Join(root, fmt.Sprintf("instance-%d", i))})
	}
	t.Cleanup(f.killAll)
	return f
}

// start starts instance i and waits until it is ready.
func (f *fleet) start(i int) {
	f.t.Helper()
	in := f.instances[i]
	logs, cmd, done := serveLogged(f.t, in.dir, f.args()...)
	line := waitLog(f.t, logs, done, 120*time.Second, `"msg":"grants serve ready"`)
	base := "http://" + strings.SplitN(line[strings.Index(line, `"http":"`)+8:], `"`, 2)[0]
	f.mu.Lock()
	in.cmd, in.done, in.base, in.logs = cmd.Process, done, base, logs
	f.mu.Unlock()
}

// args are the flags of every instance (besides its data directory).
func (f *fleet) args() []string {
	args := append([]string{"--nats-url", f.nats.url, "--replicas", fmt.Sprint(f.nats.replicas), "--signing-dir", f.signing, "--pd-master-key", f.master}, f.nats.args...)
	return append(args, f.extra...)
}

// startAll starts every instance, the first alone (it creates the
// buckets), then the others.
func (f *fleet) startAll() {
	f.t.Helper()
	for i := range f.instances {
		f.start(i)
	}
}

// startLoad starts the fleet's instances and a load of workers clients
// on ledger l: a national-office token, the seeded projects, commands keyed
// with prefix. stop ends the load and waits for its clients; it runs at the
// end of the test too, before the instances are killed.
func (f *fleet) startLoad(l *ledger, prefix string, workers int) (load *faultLoad, stop func()) {
	f.t.Helper()
	token := l.officeToken(f.t)
	projects := seedProjects(f.t, l)
	f.startAll()
	load = newFaultLoad(f, token, prefix, projects)
	ctx, cancel := context.WithCancel(context.Background())
	loaded := make(chan struct{})
	go func() { load.run(ctx, workers); close(loaded) }()
	stop = func() { cancel(); <-loaded }
	f.t.Cleanup(stop)
	return load, stop
}

// detach takes instance i's process out of the fleet (no request goes to
// it any more) and returns it with its exit channel; p is nil when it
// does not run.
func (f *fleet) detach(i int) (in *instance, p *os.Process, done <-chan error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in = f.instances[i]
	p, done = in.cmd, in.done
	in.cmd, in.base = nil, ""
	return in, p, done
}

// kill sends SIGKILL to instance i and waits until it is gone.
func (f *fleet) kill(i int) {
	f.t.Helper()
	_, p, done := f.detach(i)
	if p == nil {
		return
	}
	_ = p.Signal(syscall.SIGKILL)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		f.t.Fatalf("instance %d did not die within 30 s of SIGKILL", i)
	}
}

// stop sends SIGTERM to instance i and waits for a clean exit.
func (f *fleet) stop(i int) {
	f.t.Helper()
	in, p, done := f.detach(i)
	if p == nil {
		return
	}
	_ = p.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			f.t.Errorf("instance %d did not stop cleanly: %v\n%s", i, err, strings.Join(in.logs.lines, "\n"))
		}
	case <-time.After(60 * time.Second):
		f.t.Fatalf("instance %d did not stop within 60 s of SIGTERM", i)
	}
}

// killAll kills whatever still runs (the test's clean-up).
func (f *fleet) killAll() {
	for i := range f.instances {
		f.mu.Lock()
		p, done := f.instances[i].cmd, f.instances[i].done
		f.instances[i].cmd = nil
		f.mu.Unlock()
		if p != nil {
			_ = p.Signal(syscall.SIGKILL)
			<-done
		}
	}
}

// bases returns the URL of every running instance.
func (f *fleet) bases() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, in := range f.instances {
		if in.base != "" {
			out = append(out, in.base)
		}
	}
	return out
}

// ledger is the test's own view of the shared store: a connection with
// every right, the event store (signing with the fleet's key), its
// token service.
type ledger struct {
	nc    *nats.Conn
	js    natsjs.JetStream
	store *jetstream.Store
	ring  *events.KeyRing
	// replicas is the fleet's replica count.
	replicas int
	// cluster is the fleet's cluster (nil: a standalone server).
	cluster *natscluster.Cluster
}

// openLedger opens the fleet's store from the test process, creating the
// stream and the buckets with the fleet's replica count.
func (f *fleet) openLedger() *ledger {
	f.t.Helper()
	nc, err := f.nats.connect()
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(nc.Close)
	set, err := keys.Load(f.signing)
	if err != nil {
		f.t.Fatal(err)
	}
	signer, err := set.Signer()
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// As grants serve does: a bucket just created on a cluster answers its
	// reads a moment later.
	store, err := openStoreRetrying(ctx, nc, jetstream.Config{Replicas: f.nats.replicas, Signer: signer}, slog.New(slog.DiscardHandler))
	if err != nil {
		f.t.Fatal(err)
	}
	js, err := natsjs.New(nc)
	if err != nil {
		f.t.Fatal(err)
	}
	return &ledger{nc: nc, js: js, store: store, ring: set.Ring(f.signing), replicas: f.nats.replicas, cluster: f.nats.cluster}
}

// officeToken creates a national-office token in the shared bucket.
func (l *ledger) officeToken(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := authjs.Open(ctx, l.js, l.replicas)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := auth.NewService(store, events.ClockFunc(time.Now)).Create(ctx, auth.CreateRequest{Role: aggregates.RoleNationalOffice, Name: "faults"})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

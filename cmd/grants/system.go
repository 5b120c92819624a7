package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/keys"
)

// natsFlags are the flags every subcommand that reaches the event store has.
type natsFlags struct {
	dataDir         *string
	natsURL         *string
	natsListen      *string
	replicas        *int
	duplicateWindow *time.Duration
	idempotencyTTL  *time.Duration
	syncAlways      *bool
	durability      *string
	natsCreds       *string
	natsNkey        *string
	signingDir      *string
}

func addNATSFlags(fs *flagSet) natsFlags {
	return natsFlags{
		dataDir:         fs.String("data-dir", "./data", "directory for the embedded NATS store (<dir>/nats) and the projection database"),
		natsURL:         fs.String("nats-url", "", "external NATS server or cluster to use instead of the embedded one (e.g. nats://host:4222)"),
		natsListen:      fs.String("nats-listen", "127.0.0.1:4222", "host:port where the embedded NATS server listens for the nats CLI and other grants commands; \"off\" for in-process only"),
		replicas:        fs.Int("replicas", 1, "replica count of the GRANTS stream (external cluster)"),
		duplicateWindow: fs.Duration("duplicate-window", jetstream.DefaultDuplicateWindow, "JetStream duplicate window for idempotent publishes: a key is recognised by the stream wherever it was used for this long (racing appends, quick retries), then from the events of its aggregate; the server keeps one message ID per event of the window in memory"),
		idempotencyTTL: fs.Duration("idempotency-ttl", 0, "deprecated, no effect: no idempotency record is kept beside the events any more "+
			"(a retry is recognised by the stream's deduplication for the duplicate window, then by the events, which carry the key)"),
		syncAlways: fs.Bool("sync-always", false, "deprecated: the same as --durability=sync-always"),
		durability: fs.String("durability", "fsync", "embedded server: when a write is acknowledged. fsync (default): only once it is on disk, "+
			"one fsync shared by the concurrent writes (group commit); os-flush: once the operating system has it, the server fsyncs every 2 minutes, "+
			"so a power failure or kernel crash LOSES THE ACKNOWLEDGED WRITES OF UP TO THE LAST 2 MINUTES; sync-always: the server fsyncs each write (durable, slowest). "+
			"An external --nats-url cluster is made durable by its replicas (--replicas 3)"),
		natsCreds:  fs.String("nats-creds", "", "NATS user credentials file (.creds) for --nats-url or a running grants serve (default: the service identity in the data directory)"),
		natsNkey:   fs.String("nats-nkey", "", "NATS user nkey seed file for --nats-url or a running grants serve (default: <data-dir>/"+serviceSeedFile+")"),
		signingDir: fs.String("signing-dir", "", "directory of the service's event signing keys (default <data-dir>/signing; the same keys for every service of an external cluster)"),
	}
}

// The identities grants serve hands out, as nkey seed files (mode 0600) in
// the data directory.
const (
	// serviceSeedFile is the service identity: the grants subcommands'.
	serviceSeedFile = "nats-service.nk"
	// readerSeedFile is the read-only identity for the nats CLI.
	readerSeedFile = "nats-reader.nk"
)

// dataDirIdentities loads the data directory's identities, creating them
// on first use.
func dataDirIdentities(dir string) ([]jetstream.Identity, error) {
	var ids []jetstream.Identity
	for _, id := range []struct {
		file, name string
		perms      func() *server.Permissions
	}{{serviceSeedFile, "service", jetstream.ServicePermissions}, {readerSeedFile, "reader", jetstream.ReaderPermissions}} {
		kp, err := jetstream.LoadOrCreateSeed(filepath.Join(dir, id.file))
		if err != nil {
			return nil, err
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return nil, err
		}
		ids = append(ids, jetstream.Identity{Name: id.name, PublicKey: pub, Permissions: id.perms()})
	}
	return ids, nil
}

// durability reads --durability and the deprecated --sync-always.
func (nf natsFlags) durabilityMode() (jetstream.Durability, error) {
	if *nf.syncAlways {
		return jetstream.DurabilitySyncAlways, nil
	}
	d, err := jetstream.ParseDurability(*nf.durability)
	if err != nil {
		return 0, usagef("--%v", err)
	}
	return d, nil
}

// clientAuth is how a subcommand authenticates to a NATS server it does
// not run: --nats-creds, --nats-nkey, else the data directory's service
// identity when it exists (ok is false when there is none).
// grants serve (serve true) receives its replies on an inbox prefix of its
// own, which the service and reader identities may not subscribe to.
func (nf natsFlags) clientAuth(serve bool) (opts []nats.Option, ok bool, err error) {
	inbox := jetstream.ServiceInboxPrefix
	if serve {
		inbox = jetstream.ServeInboxPrefix
	}
	switch {
	case *nf.natsCreds != "" && *nf.natsNkey != "":
		return nil, false, usagef("give --nats-creds or --nats-nkey, not both")
	case *nf.natsCreds != "":
		if _, err := os.Stat(*nf.natsCreds); err != nil {
			return nil, false, fmt.Errorf("--nats-creds: %w", err)
		}
		opts := []nats.Option{nats.UserCredentials(*nf.natsCreds)}
		if serve {
			opts = append(opts, nats.CustomInboxPrefix(inbox))
		}
		return opts, true, nil
	case *nf.natsNkey != "":
		o, err := nats.NkeyOptionFromSeed(*nf.natsNkey)
		if err != nil {
			return nil, false, fmt.Errorf("--nats-nkey: %w", err)
		}
		return []nats.Option{o, nats.CustomInboxPrefix(inbox)}, true, nil
	}
	seed := filepath.Join(*nf.dataDir, serviceSeedFile)
	if _, err := os.Stat(seed); err != nil {
		return nil, false, nil
	}
	o, err := nats.NkeyOptionFromSeed(seed)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", seed, err)
	}
	return []nats.Option{o, nats.CustomInboxPrefix(jetstream.ServiceInboxPrefix)}, true, nil
}

// system is a connection to the event store, embedded or external.
type system struct {
	// emb is the embedded server with its connections, when one runs here.
	emb   *jetstream.Embedded
	srv   *jetstream.Server
	nc    *nats.Conn
	store *jetstream.Store
	lock  *os.File
	log   *slog.Logger
	// ring holds the public keys events are verified with; signer is the
	// active key (nil when this process has none).
	ring   *events.KeyRing
	signer events.Signer
	// durability is the embedded server's.
	durability jetstream.Durability
}

// Close releases everything the system holds.
func (s *system) Close() {
	if s.emb != nil {
		s.emb.Close()
	} else if s.nc != nil {
		s.nc.Drain()
		s.nc.Close()
	}
	if s.lock != nil {
		_ = syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
		s.lock.Close()
	}
}

// checkDataDir creates dir if needed and proves it is writable.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("data directory %s cannot be created: %v (choose another with --data-dir)", dir, errors.Unwrap(err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %v (fix its permissions or choose another with --data-dir)", dir, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// lockDataDir takes the data directory's exclusive lock, so that two
// processes never open the same store files.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "grants.lock"), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, inUsef("data directory %s is in use by another grants process (a running grants serve?); stop it or point --nats-url at its NATS listener", dir)
	}
	return f, nil
}

// listenAddr parses --nats-listen into host and port; port 0 means off.
func listenAddr(s string) (string, int, error) {
	if s == "off" || s == "" {
		return "", 0, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, usagef("--nats-listen %q: want host:port or off", s)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return "", 0, usagef("--nats-listen %q: port must be 0-65535", s)
	}
	if p == 0 {
		p = -1 // a random free port
	}
	return host, p, nil
}

// probeListen tells whether the embedded NATS server will be able to
// listen on host:port (the server itself only logs a failure to listen),
// so that a port in use ends the command with exit status 3.
func probeListen(host string, port int) error {
	if port <= 0 {
		return nil
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return listenError("--nats-listen", addr, err)
	}
	return ln.Close()
}

// openSystem connects to the event store. serve embeds a server (unless
// --nats-url); other subcommands first try the running system's listener
// and only open the data directory themselves when nothing runs.
func openSystem(ctx context.Context, nf natsFlags, serve bool, log *slog.Logger) (*system, error) {
	if *nf.replicas < 1 || *nf.replicas > 5 {
		return nil, usagef("--replicas %d: must be 1 to 5", *nf.replicas)
	}
	if *nf.duplicateWindow < time.Second {
		return nil, usagef("--duplicate-window %s: must be at least 1s", *nf.duplicateWindow)
	}
	if *nf.idempotencyTTL != 0 {
		log.Warn("--idempotency-ttl (GRANTS_IDEMPOTENCY_TTL) has no effect any more: no idempotency record is kept beside the events; the bucket GRANTS_IDEMPOTENCY of earlier releases may be deleted")
	}
	durability, err := nf.durabilityMode()
	if err != nil {
		return nil, err
	}
	auth, haveAuth, err := nf.clientAuth(serve)
	if err != nil {
		return nil, err
	}
	s := &system{log: log}
	// The signing keys are read once the store is reachable (and the data
	// directory proved writable), so that a bad flag creates nothing.
	var scfg jetstream.Config
	loadKeys := func() error {
		cfg, ring, err := storeConfig(nf, serve, log)
		scfg, s.ring, s.signer = cfg, ring, cfg.Signer
		return err
	}
	url := *nf.natsURL
	if !serve && url == "" && haveAuth {
		// Reach a running `grants serve` through its listener, as the
		// service identity.
		if host, port, err := listenAddr(*nf.natsListen); err == nil && port > 0 {
			probe := fmt.Sprintf("nats://%s", net.JoinHostPort(host, strconv.Itoa(port)))
			if nc, err := nats.Connect(probe, append([]nats.Option{nats.Timeout(time.Second), nats.Name("grants-cli")}, auth...)...); err == nil {
				s.nc = nc
			}
		}
	}
	attach := s.nc != nil // a running grants serve's stream: only read it
	switch {
	case s.nc != nil:
	case url != "":
		nc, err := nats.Connect(url, append([]nats.Option{nats.Timeout(5 * time.Second), nats.Name("grants"), nats.MaxReconnects(-1)}, auth...)...)
		if err != nil {
			return nil, fmt.Errorf("--nats-url %s is not reachable: %w", url, err)
		}
		s.nc = nc
	default:
		if err := checkDataDir(*nf.dataDir); err != nil {
			return nil, err
		}
		lock, err := lockDataDir(*nf.dataDir)
		if err != nil {
			return nil, err
		}
		s.lock = lock
		host, port, err := listenAddr(*nf.natsListen)
		if err != nil {
			s.Close()
			return nil, err
		}
		if !serve {
			// A one-off command listens only on a random loopback port, for
			// its own fast stream reads.
			host, port = "127.0.0.1", -1
		} else if err := probeListen(host, port); err != nil {
			s.Close()
			return nil, err
		}
		ids, err := dataDirIdentities(*nf.dataDir)
		if err != nil {
			s.Close()
			return nil, err
		}
		if err := loadKeys(); err != nil {
			s.Close()
			return nil, err
		}
		emb, err := jetstream.OpenEmbedded(ctx, jetstream.EmbeddedConfig{
			StoreDir: filepath.Join(*nf.dataDir, "nats"), Host: host, Port: port, Durability: durability, Identities: ids, Logger: log,
		}, aggregates.Registry(), scfg)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.emb, s.srv, s.nc, s.store, s.durability = emb, emb.Server, emb.Conn, emb.Store, durability
		return s, nil
	}
	if err := loadKeys(); err != nil {
		s.Close()
		return nil, err
	}
	cfg := scfg
	cfg.Attach = attach
	octx := ctx
	if !attach && !serve {
		// An identity that may not create the stream gets a permissions
		// violation and no answer: give up at once, not at the request's
		// time-out, and attach below.
		var cancel context.CancelFunc
		octx, cancel = context.WithCancel(ctx)
		defer cancel()
		prev := s.nc.ErrorHandler()
		s.nc.SetErrorHandler(func(nc *nats.Conn, sub *nats.Subscription, err error) {
			if errors.Is(err, nats.ErrPermissionViolation) {
				cancel()
				return
			}
			if prev != nil {
				prev(nc, sub, err)
			}
		})
		defer s.nc.SetErrorHandler(prev)
	}
	if serve && !attach {
		if err := waitStreamsAnswer(ctx, s.nc, log); err != nil {
			s.Close()
			return nil, err
		}
	}
	store, err := jetstream.Open(octx, s.nc, aggregates.Registry(), cfg)
	if serve && err != nil {
		store, err = reopenWhileUnavailable(ctx, s.nc, cfg, err, log)
	}
	if err != nil && !attach && !serve {
		// An identity that may only read the stream (the service identity
		// of a running grants serve) opens it as it is; grants serve
		// itself needs every right.
		cfg.Attach = true
		if attached, aerr := jetstream.Open(ctx, s.nc, aggregates.Registry(), cfg); aerr == nil {
			store, err = attached, nil
		}
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("opening the event store: %w", err)
	}
	s.store = store
	return s, nil
}

// storeConfig is the event store's configuration from the flags, with
// the signing key and the key ring of the signing directory. serve
// creates the first key; another subcommand without readable keys signs
// nothing and trusts no key (verification then flags every event).
func storeConfig(nf natsFlags, serve bool, log *slog.Logger) (jetstream.Config, *events.KeyRing, error) {
	cfg := jetstream.Config{DuplicateWindow: *nf.duplicateWindow, Replicas: *nf.replicas}
	dir := signingDir(nf)
	var (
		set *keys.Set
		err error
	)
	if serve {
		var created bool
		if set, created, err = keys.Open(dir, time.Now()); err == nil && created {
			log.Info("created the event signing key", "dir", dir, "key", set.Active)
		}
	} else {
		set, err = keys.Load(dir)
	}
	switch {
	case err == nil:
	case !serve && errors.Is(err, fs.ErrNotExist):
		log.Warn("no event signing keys here: nothing is signed and no signature is trusted", "dir", dir)
		return cfg, events.NewKeyRing(nil, nil), nil
	default:
		return cfg, nil, usagef("signing keys in %s: %v (point --signing-dir at the service's keys)", dir, err)
	}
	signer, err := set.Signer()
	if err != nil {
		return cfg, nil, usageError{err}
	}
	// The command handler recognises the events this process has just
	// signed (serve's OwnSignatures) instead of verifying them again.
	cfg.Signer = events.NewRecentSigner(signer, recentSignatures)
	return cfg, set.Ring(dir), nil
}

// recentSignatures is how many of its latest signatures the store's signer
// remembers: far more than the appends in flight at once, and the events
// written between two tail checkpoints of the ledger guard
// (defaultCheckpointTail, 10 s) at about 6 000 events/s, so that the guard
// does not verify again the signatures this process made (about 7 MiB,
// not scanned by the collector: events.RecentSigner).
const recentSignatures = 1 << 16

// ownSignatures is the signer's memory of its signatures, for the command
// handler; nil when this process signs nothing.
func ownSignatures(s events.Signer) interface{ SignedHere(*events.Envelope) bool } {
	if rs, ok := s.(*events.RecentSigner); ok && rs != nil {
		return rs
	}
	return nil
}

// signingDir is --signing-dir, or <data-dir>/signing.
func signingDir(nf natsFlags) string {
	if *nf.signingDir != "" {
		return *nf.signingDir
	}
	return filepath.Join(*nf.dataDir, "signing")
}

// newLogger returns the process logger: JSON lines on stderr, or text.
func newLogger(format, level string) (*slog.Logger, error) {
	return newLoggerTo(os.Stderr, format, level)
}

// newLoggerTo is newLogger writing to out.
func newLoggerTo(out io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), nil
	}
	return nil, usagef("--log-format %q: want json or text", format)
}

// clusterStartWait is how long grants serve waits for an external cluster
// that does not answer yet (its streams electing their leaders after a
// restart of the cluster) before it gives up.
const clusterStartWait = 2 * time.Minute

// reopenWhileUnavailable retries opening the store while the cluster
// answers that it is not available yet, or not at all, up to
// clusterStartWait; err is the first attempt's error. Any other error
// ends it.
func reopenWhileUnavailable(ctx context.Context, nc *nats.Conn, cfg jetstream.Config, err error, log *slog.Logger) (*jetstream.Store, error) {
	giveUp := time.Now().Add(clusterStartWait)
	for unavailableJS(err) && ctx.Err() == nil && time.Now().Before(giveUp) {
		log.Warn("the NATS cluster does not serve the event stream yet; retrying", "err", err)
		if sleepCtx(ctx, time.Second) != nil {
			break
		}
		var store *jetstream.Store
		if store, err = jetstream.Open(ctx, nc, aggregates.Registry(), cfg); err == nil {
			return store, nil
		}
	}
	return nil, err
}

// unavailableJS tells an error of a JetStream cluster that is not
// available for the moment (no answer, no responders, a 503 of the API)
// from one that will not go away by waiting.
func unavailableJS(err error) bool {
	var api *natsjs.APIError
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, nats.ErrNoResponders) ||
		(errors.As(err, &api) && api.Code == 503)
}

// waitStreamsAnswer waits until every stream of an external cluster
// answers (each has elected its leader: after a restart of the whole
// cluster they do one by one), at most clusterStartWait, so that grants
// serve opens its stream and buckets on a cluster that serves them.
func waitStreamsAnswer(ctx context.Context, nc *nats.Conn, log *slog.Logger) error {
	js, err := natsjs.New(nc)
	if err != nil {
		return err
	}
	giveUp := time.Now().Add(clusterStartWait)
	for {
		err := streamsAnswer(ctx, js)
		if err == nil || !unavailableJS(err) || ctx.Err() != nil {
			return err
		}
		if time.Now().After(giveUp) {
			return fmt.Errorf("the NATS cluster does not serve every stream after %s: %w", clusterStartWait, err)
		}
		log.Warn("waiting for the NATS cluster to serve every stream", "err", err)
		if sleepCtx(ctx, time.Second) != nil {
			return ctx.Err()
		}
	}
}

// streamsAnswer asks every stream for its information once.
func streamsAnswer(ctx context.Context, js natsjs.JetStream) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	names := js.StreamNames(ctx)
	var list []string
	for n := range names.Name() {
		list = append(list, n)
	}
	if err := names.Err(); err != nil {
		return err
	}
	for _, n := range list {
		if _, err := js.Stream(ctx, n); err != nil {
			return fmt.Errorf("stream %s: %w", n, err)
		}
	}
	return nil
}

// openStoreRetrying opens the store on an external cluster, retrying while
// the cluster cannot serve it yet (see reopenWhileUnavailable).
func openStoreRetrying(ctx context.Context, nc *nats.Conn, cfg jetstream.Config, log *slog.Logger) (*jetstream.Store, error) {
	store, err := jetstream.Open(ctx, nc, aggregates.Registry(), cfg)
	if err == nil {
		return store, nil
	}
	return reopenWhileUnavailable(ctx, nc, cfg, err, log)
}

// waitBucketsAnswer waits until a read of each key-value bucket gets an
// answer, at most clusterStartWait: on a cluster a bucket just created
// serves its reads (direct gets) a moment after it exists, and until then
// a read finds no responders.
func waitBucketsAnswer(ctx context.Context, js natsjs.JetStream, log *slog.Logger, buckets ...string) error {
	giveUp := time.Now().Add(clusterStartWait)
	for _, b := range buckets {
		kv, err := js.KeyValue(ctx, b)
		if err != nil {
			return fmt.Errorf("key-value bucket %s: %w", b, err)
		}
		for {
			_, err := kv.Get(ctx, "grants-probe")
			if err == nil || errors.Is(err, natsjs.ErrKeyNotFound) {
				break
			}
			if !unavailableJS(err) || ctx.Err() != nil {
				return fmt.Errorf("key-value bucket %s: %w", b, err)
			}
			if time.Now().After(giveUp) {
				return fmt.Errorf("key-value bucket %s does not answer after %s: %w", b, clusterStartWait, err)
			}
			log.Debug("waiting for a new key-value bucket to answer", "bucket", b, "err", err)
			if sleepCtx(ctx, 50*time.Millisecond) != nil {
				return ctx.Err()
			}
		}
	}
	return nil
}

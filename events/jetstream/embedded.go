package jetstream

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// EmbeddedConfig configures the NATS server that runs inside the process.
type EmbeddedConfig struct {
	// StoreDir is where JetStream keeps its files; it is created if needed.
	StoreDir string
	// Host is the address to listen on (default 127.0.0.1).
	Host string
	// Port is the client port: -1 picks a random free port, 0 does not
	// listen at all (clients connect in-process only).
	Port int
	// Durability says when an append counts as written; the zero value is
	// the durable default (DurabilityFsync).
	Durability Durability
	// Identities are the users, besides the in-process one, that may
	// connect; each has its own permissions. Nobody connects without one.
	Identities []Identity
	// Logger receives the server's log; nil silences it.
	Logger *slog.Logger
}

// Server is an embedded nats-server with its in-process identity: a user
// key generated at each start and never written anywhere, which alone has
// every right (the only one that may create, update, delete or purge the
// stream, and write the key-value buckets).
type Server struct {
	*server.Server
	root nkeys.KeyPair
}

// ReadyTimeout is how long StartEmbedded waits for the server to accept
// connections.
const ReadyTimeout = 30 * time.Second

// StartEmbedded starts a NATS server with JetStream and waits until it is
// ready. Shut it down with srv.Shutdown() and srv.WaitForShutdown(). It
// accepts only the in-process identity (ConnectInProcess, ConnectTCP) and
// cfg.Identities: never an unauthenticated connection.
func StartEmbedded(cfg EmbeddedConfig) (*Server, error) {
	if cfg.StoreDir == "" {
		return nil, errors.New("jetstream store dir is not set")
	}
	dir, err := filepath.Abs(cfg.StoreDir)
	if err != nil {
		return nil, fmt.Errorf("jetstream store dir %s: %v", cfg.StoreDir, err)
	}
	if err := checkWritable(dir); err != nil {
		return nil, err
	}
	host := cfg.Host
	if host == "" {
		host = "127.0.0.1"
	}
	root, err := nkeys.CreateUser()
	if err != nil {
		return nil, fmt.Errorf("creating the in-process nats identity: %w", err)
	}
	users, err := nkeyUsers(root, cfg.Identities)
	if err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: "grants",
		Host:       host,
		Port:       cfg.Port,
		DontListen: cfg.Port == 0,
		JetStream:  true,
		StoreDir:   dir,
		SyncAlways: cfg.Durability == DurabilitySyncAlways,
		NoSigs:     true,
		Nkeys:      users,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	adapter := &slogAdapter{l: logger}
	srv.SetLoggerV2(adapter, false, false, false)
	srv.Start()
	if err := waitReady(srv, adapter); err != nil {
		srv.Shutdown()
		return nil, fmt.Errorf("nats server with store dir %s did not start: %w", dir, err)
	}
	if !srv.JetStreamEnabled() {
		srv.Shutdown()
		return nil, fmt.Errorf("nats server started but JetStream is not enabled on store dir %s%s", dir, adapter.lastError())
	}
	return &Server{Server: srv, root: root}, nil
}

// waitReady waits until srv accepts connections, and gives up early when
// the server has logged a fatal error (a port in use, for one).
func waitReady(srv *server.Server, log *slogAdapter) error {
	giveUp := time.After(ReadyTimeout)
	for {
		if srv.ReadyForConnections(50 * time.Millisecond) {
			return nil
		}
		if msg := log.fatalMsg(); msg != "" {
			return errors.New(msg)
		}
		select {
		case <-giveUp:
			return fmt.Errorf("not ready within %s%s", ReadyTimeout, log.lastError())
		default:
		}
	}
}

// checkWritable creates dir if needed and proves a file can be written in it.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("jetstream store dir %s cannot be created: %v", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("jetstream store dir %s is not writable: %v", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unwrapPath drops the path from an *os.PathError, which the message
// already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ConnectInProcess connects to srv without a network socket, as the
// in-process identity.
func ConnectInProcess(srv *Server) (*nats.Conn, error) {
	nc, err := nats.Connect("", srv.rootOptions("grants", nats.InProcessServer(srv.Server))...)
	if err != nil {
		return nil, fmt.Errorf("connecting in-process to nats: %w", err)
	}
	return nc, nil
}

// ConnectTCP connects to srv's listener as the in-process identity, for
// this process's own fast stream reads; the identity stays in memory.
func ConnectTCP(srv *Server, name string) (*nats.Conn, error) {
	url := ClientURL(srv)
	if url == "" {
		return nil, errors.New("the embedded nats server does not listen")
	}
	nc, err := nats.Connect(url, srv.rootOptions(name)...)
	if err != nil {
		return nil, fmt.Errorf("connecting to the embedded nats server at %s: %w", url, err)
	}
	return nc, nil
}

// rootOptions are the connection options of the in-process identity. Its
// replies come on an inbox prefix that no other identity may subscribe to.
func (srv *Server) rootOptions(name string, more ...nats.Option) []nats.Option {
	pub, _ := srv.root.PublicKey()
	return append([]nats.Option{
		nats.Name(name), nats.MaxReconnects(-1), nats.Nkey(pub, srv.root.Sign),
		nats.CustomInboxPrefix(rootInboxPrefix),
	}, more...)
}

// ClientURL is the URL clients use to reach srv over the network, or ""
// when it does not listen.
func ClientURL(srv *Server) string {
	if srv.Addr() == nil {
		return ""
	}
	return srv.ClientURL()
}

// slogAdapter routes the server's log to slog and remembers the last
// error, so that a failed start can say why.
type slogAdapter struct {
	l     *slog.Logger
	mu    sync.Mutex
	last  string
	fatal string
}

// lastError returns ": " and the last error logged, or "".
func (a *slogAdapter) lastError() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.last == "" {
		return ""
	}
	return ": " + strings.ReplaceAll(a.last, "\n", " ")
}

// fatalMsg returns the last fatal error logged, on one line, or "".
func (a *slogAdapter) fatalMsg() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return strings.ReplaceAll(a.fatal, "\n", " ")
}

func (a *slogAdapter) remember(msg string) {
	a.mu.Lock()
	a.last = msg
	a.mu.Unlock()
}

// Noticef implements server.Logger; the server's notices (banner, listening
// addresses) are debug detail: grants serve logs its own ready line.
func (a *slogAdapter) Noticef(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }

// Warnf implements server.Logger.
func (a *slogAdapter) Warnf(format string, v ...any) { a.l.Warn(fmt.Sprintf(format, v...)) }

// Fatalf implements server.Logger. It does not exit: StartEmbedded
// reports the failure.
func (a *slogAdapter) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	a.remember(msg)
	a.mu.Lock()
	a.fatal = msg
	a.mu.Unlock()
	a.l.Error(msg)
}

// Errorf implements server.Logger.
func (a *slogAdapter) Errorf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	a.remember(msg)
	a.l.Error(msg)
}

// Debugf implements server.Logger.
func (a *slogAdapter) Debugf(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }

// Tracef implements server.Logger.
func (a *slogAdapter) Tracef(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }

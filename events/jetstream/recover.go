package jetstream

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// RecoverInterval is how often an embedded server's JetStream health is
// checked, and how often a repair is tried while it is not healthy.
const RecoverInterval = time.Second

// recoverFreeBytes is the free space the store directory's file system
// must have before a repair is tried: a repair on a full disk would fail
// again at once.
const recoverFreeBytes = 1 << 20

// recoverer keeps an embedded server's JetStream writable. When a write
// fails on the disk (a full disk: "no space left on device"), the server
// keeps the error on the stream and fails every later write, or disables
// JetStream, until it is restarted, even after space has been freed. The
// recoverer sees this through the server's health check and, once the
// store directory's file system has room again, restarts JetStream
// through the server's public API (ShutdownJetStream, EnableJetStream
// with the configuration it started with): the streams are loaded again
// from their files and writes resume. No append whose write failed was
// acknowledged, so none is lost.
type recoverer struct {
	srv  *server.Server
	cfg  server.JetStreamConfig // as started, StoreDir the server's store dir
	dir  string                 // where the files live, for the free-space check
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}

	mu   sync.Mutex
	last error // the last health problem seen, nil when healthy
}

// startRecoverer watches srv until Close. storeDir is the directory the
// server was given (without its "jetstream" subdirectory).
func startRecoverer(srv *server.Server, storeDir string, log *slog.Logger) *recoverer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &recoverer{srv: srv, dir: storeDir, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	if c := srv.JetStreamConfig(); c != nil {
		r.cfg = *c
	}
	// EnableJetStream adds the "jetstream" directory itself.
	r.cfg.StoreDir = storeDir
	go r.loop()
	return r
}

func (r *recoverer) loop() {
	defer close(r.done)
	t := time.NewTicker(RecoverInterval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			r.check()
		}
	}
}

// health returns why JetStream cannot take writes now, or nil.
func (r *recoverer) health() error {
	h := r.srv.Healthz(&server.HealthzOptions{})
	if h.Error == "" && len(h.Errors) == 0 {
		return nil
	}
	msg := h.Error
	if msg == "" {
		msg = h.Errors[0].Error
	}
	return errors.New(msg)
}

// check looks at the server's health and repairs JetStream if it is not
// healthy and the disk has room and takes a new file (a repair on a
// read-only file system fails at once: it was tried, and logged, every
// second). A failure is confirmed by three more
// looks before anything is said or done: the server's health check waits 1 ms
// for its own start to be complete, and a busy machine (a goroutine
// descheduled longer than that, GC pauses near the memory limit) fails
// it spuriously, which restarted JetStream under load and failed the
// commands in flight.
func (r *recoverer) check() {
	err := r.health()
	for i := 0; i < 3 && err != nil; i++ {
		time.Sleep(10 * time.Millisecond)
		err = r.health()
	}
	r.mu.Lock()
	was := r.last
	r.last = err
	r.mu.Unlock()
	switch {
	case err == nil && was != nil:
		r.log.Info("JetStream takes writes again", "after", was)
		return
	case err == nil:
		return
	case was == nil:
		r.log.Error("JetStream cannot take writes; it will be restarted once the disk has room", "err", err, "store_dir", r.dir)
	}
	if free, ferr := freeBytes(r.dir); ferr != nil || free < recoverFreeBytes || !writable(r.dir) {
		return
	}
	r.log.Warn("restarting JetStream to resume writes", "reason", err)
	if r.srv.JetStreamEnabled() {
		if serr := r.srv.ShutdownJetStream(); serr != nil {
			r.log.Warn("stopping JetStream", "err", serr)
		}
	}
	cfg := r.cfg
	if eerr := r.srv.EnableJetStream(&cfg); eerr != nil {
		r.log.Error("restarting JetStream failed; trying again", "err", eerr)
		return
	}
	if err := r.health(); err == nil {
		r.mu.Lock()
		r.last = nil
		r.mu.Unlock()
		r.log.Info("JetStream takes writes again", "after", was)
	}
}

// Err returns why JetStream cannot take writes now, or nil.
func (r *recoverer) Err() error {
	if err := r.health(); err != nil {
		return fmt.Errorf("the event store cannot take writes: %w", err)
	}
	return nil
}

// Close stops the watching.
func (r *recoverer) Close() {
	close(r.stop)
	<-r.done
}

// freeBytes is the space available to an unprivileged writer on dir's
// file system.
func freeBytes(dir string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}

// writable reports whether a file can be created in dir.
func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".writable-*")
	if err != nil {
		return false
	}
	f.Close()
	return os.Remove(f.Name()) == nil
}

// absDir is dir made absolute, as StartEmbedded gives it to the server.
func absDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

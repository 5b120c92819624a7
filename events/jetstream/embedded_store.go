package jetstream

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/events"
)

// Embedded is an embedded server with the event store opened on it: an
// in-process connection for commands and, when the server listens, a TCP
// loopback connection for stream reads (faster than the in-process pipe for
// replay and projection).
type Embedded struct {
	// Server is the embedded nats-server.
	Server *Server
	// Conn is the in-process connection.
	Conn *nats.Conn
	// Stream is the TCP loopback connection of stream reads (nil when the
	// server does not listen).
	Stream *nats.Conn
	// Load is the connection of the command path's loads (Config.LoadConn):
	// TCP loopback when the server listens, else in-process.
	Load *nats.Conn
	// Store is the event store.
	Store *Store
	rec   *recoverer
	// syncer makes the store's appends durable (DurabilityFsync).
	syncer *blockSyncer
	// idsSyncer makes the reservations of aggregate IDs durable, behind
	// the events (reserving).
	idsSyncer *blockSyncer
	reserving *reservingSyncer
	// durability is the server's.
	durability Durability
}

// OpenEmbedded starts a server with ecfg and opens the store on it with
// cfg (whose StreamConn it sets, and with DurabilityFsync its Syncer: the
// stream's block files, made durable once before the first append).
// Close stops everything.
func OpenEmbedded(ctx context.Context, ecfg EmbeddedConfig, reg *events.Registry, cfg Config) (*Embedded, error) {
	srv, err := StartEmbedded(ecfg)
	if err != nil {
		return nil, err
	}
	e := &Embedded{Server: srv, durability: ecfg.Durability}
	if e.Conn, err = ConnectInProcess(srv); err != nil {
		e.Close()
		return nil, err
	}
	if url := ClientURL(srv); url != "" {
		if e.Stream, err = ConnectTCP(srv, "grants-stream"); err != nil {
			e.Close()
			return nil, err
		}
	}
	cfg.StreamConn = e.Stream
	if url := ClientURL(srv); url != "" {
		e.Load, err = ConnectTCP(srv, "grants-load")
	} else {
		e.Load, err = ConnectInProcess(srv)
	}
	if err != nil {
		e.Close()
		return nil, err
	}
	if cfg.LoadConn == nil {
		cfg.LoadConn = e.Load
	}
	e.rec = startRecoverer(srv.Server, absDir(ecfg.StoreDir), ecfg.Logger)
	cfg.Health = e.rec.Err
	if e.Store, err = Open(ctx, e.Conn, reg, cfg); err != nil {
		e.Close()
		return nil, err
	}
	if ecfg.Durability == DurabilityFsync && cfg.Syncer == nil {
		// Before the first append: the stream's blocks, and the
		// directories and configurations Open may have just created.
		e.syncer = newBlockSyncer(streamBlockDir(srv, StreamName))
		if err := e.syncer.Sync(); err != nil {
			e.Close()
			return nil, fmt.Errorf("making the stream durable: %w", err)
		}
		jsDir := srv.JetStreamConfig().StoreDir
		err := syncTree(jsDir)
		for _, d := range []string{filepath.Dir(jsDir), filepath.Dir(filepath.Dir(jsDir))} {
			if err == nil {
				err = syncDir(d) // the entries of the directories first created
			}
		}
		if err != nil {
			e.Close()
			return nil, fmt.Errorf("making the store directory durable: %w", err)
		}
		e.idsSyncer = newBlockSyncer(streamBlockDir(srv, "KV_"+IDsBucket))
		if err := e.Store.reservedAfterCrash(ctx, e.idsSyncer); err != nil {
			e.Close()
			return nil, err
		}
		// A round makes the events durable; their reservations follow
		// (reservingSyncer).
		e.reserving = &reservingSyncer{ids: e.idsSyncer, stream: e.syncer, s: e.Store}
		e.Store.commit = newGroupCommitter(e.reserving)
	}
	return e, nil
}

// SyncStream makes durable, with DurabilityFsync, what the server has
// stored of another stream (a key-value bucket B is the stream KV_B), for
// the rare writes outside the event store that must survive a power cut
// once acknowledged (tokens). It does nothing in the other modes.
func (e *Embedded) SyncStream(stream string) error {
	if e.durability != DurabilityFsync {
		return nil
	}
	b := newBlockSyncer(streamBlockDir(e.Server, stream))
	defer b.close()
	if err := b.Sync(); err != nil {
		return fmt.Errorf("making stream %s durable: %w", stream, err)
	}
	return nil
}

// Close closes the store and the connections and stops the server.
func (e *Embedded) Close() {
	if e.reserving != nil {
		e.reserving.stop()
	}
	if e.rec != nil {
		e.rec.Close()
	}
	if e.Store != nil {
		e.Store.Close()
	}
	for _, c := range []*nats.Conn{e.Load, e.Stream, e.Conn} {
		if c != nil {
			c.Close()
		}
	}
	if e.syncer != nil {
		e.syncer.close()
	}
	if e.idsSyncer != nil {
		e.idsSyncer.close()
	}
	e.Server.Shutdown()
	e.Server.WaitForShutdown()
}

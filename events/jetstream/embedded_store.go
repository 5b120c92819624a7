package jetstream

import (
	"context"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/events"
)

// Embedded is an embedded server with the event store opened on it: an
// in-process connection for commands and, when the server listens, a TCP
// loopback connection for stream reads (faster than the in-process pipe for
// replay and projection).
type Embedded struct {
	// Server is the embedded nats-server.
	Server *server.Server
	// Conn is the in-process connection.
	Conn *nats.Conn
	// Stream is the TCP loopback connection of stream reads (nil when the
	// server does not listen).
	Stream *nats.Conn
	// Store is the event store.
	Store *Store

	rec *recoverer
}

// OpenEmbedded starts a server with ecfg and opens the store on it with
// cfg (whose StreamConn it sets). Close stops everything.
func OpenEmbedded(ctx context.Context, ecfg EmbeddedConfig, reg *events.Registry, cfg Config) (*Embedded, error) {
	srv, err := StartEmbedded(ecfg)
	if err != nil {
		return nil, err
	}
	e := &Embedded{Server: srv}
	if e.Conn, err = ConnectInProcess(srv); err != nil {
		e.Close()
		return nil, err
	}
	if url := ClientURL(srv); url != "" {
		if e.Stream, err = nats.Connect(url, nats.Name("grants-stream")); err != nil {
			e.Close()
			return nil, err
		}
	}
	cfg.StreamConn = e.Stream
	e.rec = startRecoverer(srv, absDir(ecfg.StoreDir), ecfg.Logger)
	cfg.Health = e.rec.Err
	if e.Store, err = Open(ctx, e.Conn, reg, cfg); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

// Close closes the store and the connections and stops the server.
func (e *Embedded) Close() {
	if e.rec != nil {
		e.rec.Close()
	}
	if e.Store != nil {
		e.Store.Close()
	}
	for _, c := range []*nats.Conn{e.Stream, e.Conn} {
		if c != nil {
			c.Close()
		}
	}
	e.Server.Shutdown()
	e.Server.WaitForShutdown()
}

package jetstream

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// StartTestServer runs a real nats-server with JetStream on a free port
// and a temporary directory for the tests of this package (internal and
// external), stopped when tb ends.
func StartTestServer(tb testing.TB) *server.Server {
	tb.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: tb.TempDir(), NoSigs: true})
	if err != nil {
		tb.Fatal(err)
	}
	srv.Start()
	tb.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		tb.Fatal("nats-server did not start")
	}
	return srv
}

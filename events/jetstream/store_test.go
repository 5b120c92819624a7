package jetstream_test

import (
	"context"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// openStore starts an embedded server on dir and opens the store on it.
func openStore(t testing.TB, dir string, reg *events.Registry) (*jetstream.Store, func()) {
	t.Helper()
	srv, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: dir, Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := jetstream.ConnectInProcess(srv)
	if err != nil {
		srv.Shutdown()
		t.Fatal(err)
	}
	s, err := jetstream.Open(context.Background(), nc, reg, jetstream.Config{})
	if err != nil {
		nc.Close()
		srv.Shutdown()
		t.Fatal(err)
	}
	return s, func() {
		s.Close()
		nc.Close()
		srv.Shutdown()
		srv.WaitForShutdown()
	}
}

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		Open: func(t testing.TB, dir string, reg *events.Registry) (events.Store, func()) {
			return openStore(t, dir, reg)
		},
		Persistent: true,
	})
}

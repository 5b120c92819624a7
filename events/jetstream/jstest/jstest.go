// Package jstest gives tests a real embedded nats-server (random port, its
// own directory) with the JetStream event store opened on it.
package jstest

import (
	"context"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// Open starts an embedded server storing under dir and opens the store on
// it, signing with storetest.Signer; close stops both (so that a test can open dir again, as after a
// restart).
func Open(t testing.TB, dir string, reg *events.Registry) (store *jetstream.Store, close func()) {
	t.Helper()
	e, err := jetstream.OpenEmbedded(context.Background(), jetstream.EmbeddedConfig{StoreDir: dir, Port: -1}, reg, jetstream.Config{Signer: storetest.Signer})
	if err != nil {
		t.Fatal(err)
	}
	return e.Store, e.Close
}

// Store is Open on a new temporary directory, stopped when the test ends.
func Store(t testing.TB, reg *events.Registry) *jetstream.Store {
	t.Helper()
	s, stop := Open(t, t.TempDir(), reg)
	t.Cleanup(stop)
	return s
}

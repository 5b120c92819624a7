package jetstream_test

import (
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/events/storetest"
)

// openStore starts an embedded server on dir and opens the store on it.
func openStore(t testing.TB, dir string, reg *events.Registry) (*jetstream.Store, func()) {
	return jstest.Open(t, dir, reg)
}

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		Open: func(t testing.TB, dir string, reg *events.Registry) (events.Store, func()) {
			return openStore(t, dir, reg)
		},
		Persistent: true,
	})
}

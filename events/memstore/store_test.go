package memstore_test

import (
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
)

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		Open: func(_ testing.TB, _ string, reg *events.Registry) (events.Store, func()) {
			return memstore.New(reg, memstore.Config{Signer: storetest.Signer}), func() {}
		},
	})
}

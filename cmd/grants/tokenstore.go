package main

import (
	"context"

	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// durableTokens is the token store of the embedded server: a token write
// is acknowledged only once the bucket's files are on disk (with
// --durability=fsync), so that a secret handed out still works after a
// power cut.
type durableTokens struct {
	auth.Store
	sys *system
}

// tokenStoreOf wraps store when this process runs the embedded server.
func tokenStoreOf(sys *system, store auth.Store) auth.Store {
	if sys.emb == nil {
		return store
	}
	return durableTokens{Store: store, sys: sys}
}

// Put implements auth.Store.
func (d durableTokens) Put(ctx context.Context, t auth.Token) error {
	if err := d.Store.Put(ctx, t); err != nil {
		return err
	}
	if err := d.sys.emb.SyncStream("KV_" + authjs.Bucket); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the token was stored but could not be made durable")
	}
	return nil
}

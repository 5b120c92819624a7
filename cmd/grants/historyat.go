package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// historyAt gives the API read models as of a past point (the statistics'
// at and clock, ASOF-CLOCK): a bounded replay into a throwaway file under
// <data-dir>/as-of, opened for reading and removed on release. One is
// built at a time (a replay keeps both cores busy).
func historyAt(sys *system, dataDir string) api.HistoryAt {
	sem := make(chan struct{}, 1)
	dir := filepath.Join(dataDir, "as-of")
	return func(ctx context.Context, at events.AsOf) (projections.Reader, int64, func(), error) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, 0, nil, ctx.Err()
		}
		release := func() { <-sem }
		if err := os.MkdirAll(dir, 0o700); err != nil {
			release()
			return nil, 0, nil, apperr.Wrap(apperr.Unavailable, err, "the statistics as of a past point cannot be built now")
		}
		f, err := os.CreateTemp(dir, "stats-*.db")
		if err != nil {
			release()
			return nil, 0, nil, apperr.Wrap(apperr.Unavailable, err, "the statistics as of a past point cannot be built now")
		}
		path := f.Name()
		f.Close()
		os.Remove(path)
		cleanup := func() {
			sqlite.RemoveFiles(path)
			release()
		}
		until := sqlite.Until{Sequence: at.Sequence, Time: at.At, Axis: at.Axis}
		if _, err := sqlite.RebuildVerified(ctx, sys.store, path, until, nil, sys.ring, true); err != nil && !errors.Is(err, sqlite.ErrIncomplete) {
			cleanup()
			return nil, 0, nil, apperr.Wrap(apperr.Unavailable, fmt.Errorf("building the read models as of %s: %w", at, err), "the statistics as of a past point cannot be built now")
		}
		n, err := sqlite.CountEvents(ctx, path)
		if err != nil {
			cleanup()
			return nil, 0, nil, apperr.Wrap(apperr.Internal, err, "internal error")
		}
		db, err := sqlite.Open(ctx, path, sqlite.Options{ReadConns: 2, CacheMiB: 16})
		if err != nil {
			cleanup()
			return nil, 0, nil, apperr.Wrap(apperr.Internal, err, "internal error")
		}
		return db, n, func() { db.Close(); cleanup() }, nil
	}
}

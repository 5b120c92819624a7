package api_test

import (
	"context"
	"os"
	"path/filepath"

	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// historyAtFor builds read models as of a point by a bounded replay into
// a throwaway file, as grants serve does (cmd/grants/historyat.go).
func historyAtFor(src projections.Source, ring *events.KeyRing) api.HistoryAt {
	return func(ctx context.Context, at events.AsOf) (projections.Reader, int64, func(), error) {
		dir, err := os.MkdirTemp("", "asof-*")
		if err != nil {
			return nil, 0, nil, err
		}
		path := filepath.Join(dir, "stats.db")
		if _, err := sqlite.RebuildVerified(ctx, src, path, sqlite.Until{Sequence: at.Sequence, Time: at.At, Axis: at.Axis}, nil, ring, false); err != nil {
			os.RemoveAll(dir)
			return nil, 0, nil, err
		}
		n, err := sqlite.CountEvents(ctx, path)
		if err != nil {
			os.RemoveAll(dir)
			return nil, 0, nil, err
		}
		db, err := sqlite.Open(ctx, path, sqlite.Options{})
		if err != nil {
			os.RemoveAll(dir)
			return nil, 0, nil, err
		}
		return db, n, func() { db.Close(); os.RemoveAll(dir) }, nil
	}
}

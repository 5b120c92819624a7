package command

import (
	"context"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// withRecords returns the entry's decided state with project ref folded
// in full, for a command that reads the mobilities' records
// (aggregates.NeedsRecords: a correction, a recomputation). The cache
// keeps every project compact (the facts the other commands read, a tenth
// of a record), so these rarer commands pay one load of the project's
// events instead: folded up to the head the entry has, through the same
// checks (apply), onto a full portfolio. A project the entry does not hold
// is left to Decide, which answers that it is not found.
func (h *Handler) withRecords(ctx context.Context, e *entry, ref events.Ref) (aggregates.Portfolio, error) {
	if _, ok := e.portfolio.Projects[ref.ID]; !ok {
		return e.portfolio, nil
	}
	head := e.heads[headKey(ref.Kind, ref.ID)]
	envs, err := h.store.Load(ctx, ref, 0)
	if err != nil {
		return aggregates.Portfolio{}, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	// The events the entry folded and no more: another instance may have
	// written since, which the append's concurrency check catches.
	n := 0
	for n < len(envs) && envs[n].Sequence <= head.Sequence {
		n++
	}
	full := newEntry(e.org)
	full.portfolio = aggregates.NewPortfolio(e.org)
	if err := h.apply(ctx, full, envs[:n]); err != nil {
		return aggregates.Portfolio{}, apperr.Wrap(apperr.Internal, err, "internal error")
	}
	p, err := e.portfolio.WithRecords(full.portfolio.Projects[ref.ID])
	if err != nil {
		// The cached state and the stream disagree: forget the entry so
		// that the next command folds it again.
		h.cache.drop(e.org)
		h.log.Error("the decided state of a project differs from its events folded in full", "project", ref.ID, "err", err)
		return aggregates.Portfolio{}, err
	}
	return p, nil
}

package command

import (
	"context"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// withRecords returns the entry's decided state with projects ids folded
// in full, for a command that reads single mobilities (one that the
// compact state refuses with aggregates.FactsNeeded: a correction, a
// cancellation, an amendment, a final report, a recomputation, an
// erasure). The cache keeps every project compact (the figures a new
// report is decided on and the hashes of the mobility IDs), so these
// rarer commands pay one load of each project's events instead: folded up
// to the head the entry has, through the same checks (apply), onto a full
// portfolio. The entry keeps each project compacted from its full fold,
// which makes its figures known again after a cancellation or correction
// folded without the mobility's facts, and remembers the full projects
// (e.full) so that the command's own events are folded onto them too.
func (h *Handler) withRecords(ctx context.Context, e *entry, ids []string) (aggregates.Portfolio, error) {
	prs := make([]aggregates.Project, 0, len(ids))
	for _, id := range ids {
		if _, ok := e.portfolio.Projects[id]; !ok {
			continue
		}
		ref := events.Ref{Org: e.org, Kind: aggregates.KindProject, ID: id}
		head := e.heads[headKey(ref.Kind, ref.ID)]
		envs, err := h.store.Load(ctx, ref, 0)
		if err != nil {
			return aggregates.Portfolio{}, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
		}
		// The events the entry folded and no more: another instance may
		// have written since, which the append's concurrency check catches.
		n := 0
		for n < len(envs) && envs[n].Sequence <= head.Sequence {
			n++
		}
		full := newEntry(e.org)
		full.portfolio = aggregates.NewPortfolio(e.org)
		if err := h.apply(ctx, full, envs[:n]); err != nil {
			return aggregates.Portfolio{}, apperr.Wrap(apperr.Internal, err, "internal error")
		}
		prs = append(prs, full.portfolio.Projects[id])
	}
	p, err := e.portfolio.WithRecords(prs...)
	if err != nil {
		// The cached state and the stream disagree: forget the entry so
		// that the next command folds it again.
		h.cache.drop(e.org)
		h.log.Error("the decided state of a project differs from its events folded in full", "projects", ids, "err", err)
		return aggregates.Portfolio{}, err
	}
	e.full = e.full[:0]
	for _, pr := range prs {
		e.portfolio.Projects[pr.ID] = pr.Compacted()
		e.full = append(e.full, pr)
	}
	return p, nil
}

// foldFull folds evs, the events of the command just appended (decided on
// the full projects e.full), onto those projects and keeps them compacted,
// so that a cancellation or correction leaves its project's figures known.
// evs must be every event the entry folded since withRecords; e.full is
// emptied.
func (e *entry) foldFull(evs []aggregates.Event) {
	if len(e.full) == 0 {
		return
	}
	p := aggregates.NewPortfolio(e.org)
	for _, pr := range e.full {
		p.Projects[pr.ID] = pr
	}
	p = aggregates.EvolveAll(p, evs)
	for _, pr := range e.full {
		e.portfolio.Projects[pr.ID] = p.Projects[pr.ID].Compacted()
	}
	e.full = nil
}

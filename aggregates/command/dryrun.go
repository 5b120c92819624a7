package command

import (
	"context"
	"errors"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// DryRunResult is what a command would record, decided but not appended.
type DryRunResult struct {
	// Ref is the aggregate the command would change.
	Ref events.Ref
	// Head is the aggregate's version and sequence the decision read.
	Head events.Head
	// Events are the events the command would record, in order.
	Events []events.Draft
}

// DryRun decides req exactly as Handle would (validation, the caller's
// organisation, reference data, the rules of the aggregate's current
// state) and returns the events it would record, or the *apperr.Error
// naming the rule or field at fault. It appends nothing, claims no
// idempotency key and ignores IfMatch beyond checking it.
func (h *Handler) DryRun(ctx context.Context, req Request) (DryRunResult, error) {
	dctx, ref, _, err := h.prepare(ctx, req)
	if err != nil {
		return DryRunResult{}, err
	}
	unlock := h.locks.lock(ref.Org)
	defer unlock()
	e := h.cache.get(ref.Org)
	// Always catch up: a dry run answers from the latest state, whatever
	// another instance wrote.
	if err := h.catchUp(ctx, e, ref, req.Command.OrgWide()); err != nil {
		return DryRunResult{}, err
	}
	head := e.heads[headKey(ref.Kind, ref.ID)]
	if err := h.refuseDamaged(e, ref, req.Command); err != nil {
		return DryRunResult{}, err
	}
	if req.IfMatch != nil && *req.IfMatch != head.Version {
		return DryRunResult{}, &apperr.Error{Code: apperr.PreconditionFailed, Version: head.Version,
			Message: "If-Match expects another version than the current one"}
	}
	if head.Version == 0 && ref.Kind != aggregates.KindOrganisation {
		// IDs are global (the store binds an ID to its organisation at
		// the first append): a dry run reads the binding without making it.
		switch org, err := h.store.Locate(ctx, ref.Kind, ref.ID); {
		case err == nil && org != ref.Org:
			return DryRunResult{}, errIDTaken(ref, nil)
		case err != nil && !errors.Is(err, events.ErrNotFound):
			return DryRunResult{}, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
		}
	}
	drafts, err := h.decide(ctx, dctx, e, ref, req.Command)
	e.full = nil
	if err != nil {
		return DryRunResult{}, err
	}
	return DryRunResult{Ref: ref, Head: head, Events: drafts}, nil
}

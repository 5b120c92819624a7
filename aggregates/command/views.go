package command

import (
	"context"
	"errors"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// History returns every event of one aggregate in order, for the audit and
// hash-chain verification.
func (h *Handler) History(ctx context.Context, ref events.Ref) ([]events.Envelope, error) {
	if ref.Org == "" {
		org, err := h.Locate(ctx, ref.Kind, ref.ID)
		if err != nil {
			return nil, err
		}
		ref.Org = org
	}
	envs, err := h.store.Load(ctx, ref, 0)
	if err != nil {
		return nil, storeErr(err)
	}
	if len(envs) == 0 {
		return nil, apperr.New(apperr.NotFound, "%s %s not found", ref.Kind, ref.ID)
	}
	return envs, nil
}

// ProjectAsOf rebuilds a project as it stood at the effective time at
// (ProjectAt on the effective clock).
func (h *Handler) ProjectAsOf(ctx context.Context, projectID string, at time.Time) (aggregates.Project, events.Head, error) {
	return h.ProjectAt(ctx, projectID, asOfEffective(at))
}

// Portfolio returns the current decided state of one organisation.
func (h *Handler) Portfolio(ctx context.Context, org string) (aggregates.Portfolio, error) {
	if !events.ValidToken(org) {
		return aggregates.Portfolio{}, apperr.New(apperr.NotFound, "organisation %s not found", org)
	}
	unlock := h.locks.lock(org)
	defer unlock()
	e := h.cache.get(org)
	if err := h.catchUp(ctx, e, events.Ref{Org: org}, true); err != nil {
		return aggregates.Portfolio{}, err
	}
	// The entry's state is evolved in place under the lock: the caller
	// gets its own copy.
	return e.portfolio.Clone(), nil
}

// storeErr keeps the store's own application errors (an invalid reference
// is not an outage) and makes anything else Unavailable.
func storeErr(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
}

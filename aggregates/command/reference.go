package command

import (
	"context"
	"fmt"
	"sync"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// refView is the national office's reference data (call rounds, rates
// tables) as far as this handler has read grants.national-office.>, and
// the domain that decides with it. It has its own lock: an organisation's
// stripe may be the office's, and a command holds its own stripe.
type refView struct {
	mu  sync.Mutex
	seq uint64
	p   aggregates.Portfolio
	dom *aggregates.Domain
}

// ReferenceDomain returns the domain deciding with the reference data the
// national office has published, read from the store now: one direct-get
// scan of grants.national-office.> from the last sequence seen, which
// finds nothing new in almost every call. A command that reads the call
// rounds or the rates (aggregates.UsesReference) is decided with it, so a
// deadline corrected by any instance before the command arrived is the one
// applied.
func (h *Handler) ReferenceDomain(ctx context.Context) (*aggregates.Domain, error) {
	v := &h.refs
	v.mu.Lock()
	if v.dom == nil {
		v.p = aggregates.NewPortfolio(aggregates.OfficeOrg)
		v.dom = h.domain
	}
	from := v.seq
	v.mu.Unlock()
	// The scan runs outside the lock, so that commands of many
	// organisations read in parallel; each one applies what it read
	// beyond what the view already holds.
	envs, err := h.store.LoadOrg(ctx, aggregates.OfficeOrg, from)
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "the event store is not reachable")
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	evs := make([]aggregates.Event, 0, len(envs))
	last := v.seq
	for _, env := range envs {
		if env.Sequence <= last {
			continue
		}
		payload, err := h.reg.Decode(env)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, fmt.Errorf("decoding %s: %w", env.Ref, err), "internal error")
		}
		if ev, ok := payload.(aggregates.Event); ok {
			evs = append(evs, ev)
		}
		last = env.Sequence
	}
	if last == v.seq {
		return v.dom, nil
	}
	v.p = aggregates.EvolveAll(v.p, evs)
	v.seq = last
	v.dom = h.domain.WithReference(v.p.Reference)
	return v.dom, nil
}

// domainFor returns the domain that decides cmd on ref's organisation:
// the office's own commands are decided on the office's portfolio, which
// holds the reference (caught up under the office's lock); commands that
// read the reference get it fresh (ReferenceDomain).
func (h *Handler) domainFor(ctx context.Context, cmd aggregates.Command, org string) (*aggregates.Domain, error) {
	if org == aggregates.OfficeOrg || !aggregates.UsesReference(cmd) {
		return h.domain, nil
	}
	return h.ReferenceDomain(ctx)
}

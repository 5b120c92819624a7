package command

import (
	"context"

	"github.com/erasmus-ledger/grants/events"
)

// Sealer is the step between Decide and Append that seals the personal
// data of the decided events (PD-SEALED) and destroys the keys of erased
// participants (PD-ERASE); aggregates/personal.Sealer implements it. It
// runs before Append so that the hashes and signatures cover the sealed
// form.
type Sealer interface {
	SealDrafts(ctx context.Context, drafts []events.Draft) ([]events.Draft, error)
}

// seal runs the configured Sealer over the drafts (none: unchanged).
func (h *Handler) seal(ctx context.Context, drafts []events.Draft) ([]events.Draft, error) {
	if h.cfg.Sealer == nil {
		return drafts, nil
	}
	return h.cfg.Sealer.SealDrafts(ctx, drafts)
}

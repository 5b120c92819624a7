package command

import (
	"context"
	"slices"

	"github.com/erasmus-ledger/grants/events"
)

// catchUpAlone loads into e, an entry never caught up on its whole
// organisation, the aggregates that an organisation-wide decision taken
// alone reads (aggregates.AloneReads): those it does not hold yet, and
// the target again when target says it moved (a conflict). An
// organisation's registration never changes once recorded, and a cached
// project is trusted as a single-aggregate decision trusts it: a stale
// one fails the append with a conflict, which loads it again. A cold
// entry thus decides such a command (a KA210 application, most award
// decisions) after reading one or two aggregates, not every event of the
// organisation, whose cost grew with its projects: with more
// organisations' projects than the cache holds, each application read its
// organisation's whole history again (issue 16: submit application fell
// from ~3 000/s to 1 000-2 000/s over successive runs on one server).
// loaded tells whether anything was read.
func (h *Handler) catchUpAlone(ctx context.Context, e *entry, target events.Ref, reads []events.Ref, moved bool) (loaded bool, err error) {
	if moved && !slices.Contains(reads, target) {
		// The append found the target moved (for an application, its
		// subject taken): read it with the others.
		reads = append([]events.Ref{target}, reads...)
	}
	for _, r := range reads {
		if _, known := e.heads[headKey(r.Kind, r.ID)]; known && !(moved && r == target) {
			continue
		}
		if err := h.catchUp(ctx, e, r, false); err != nil {
			return loaded, err
		}
		loaded = true
	}
	return loaded, nil
}

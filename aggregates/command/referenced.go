package command

import (
	"context"
	"errors"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// checkReferenced refuses a command that names an aggregate of another
// organisation the ledger does not hold (aggregates.Referrer), e.g. a
// consortium member that is not registered (CONS-MEMBER).
func (h *Handler) checkReferenced(ctx context.Context, cmd aggregates.Command) error {
	r, ok := cmd.(aggregates.Referrer)
	if !ok {
		return nil
	}
	for _, n := range r.Referenced() {
		if _, err := h.Locate(ctx, n.Kind, n.ID); err != nil {
			if ae := (*apperr.Error)(nil); errors.As(err, &ae) && ae.Code == apperr.NotFound {
				return apperr.RuleField(n.Rule, n.Field, "%s %s is not registered in the ledger", n.Kind, n.ID)
			}
			return err
		}
	}
	return nil
}

package jetstream

import (
	"context"
	"fmt"
	"strconv"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/nats-io/nats.go"
)

// maxChanged is how many changed aggregates one ChangedSince reports;
// beyond it the caller loads the organisation's events (the server's own
// limit of a multi-last get is 1 024 subjects).
const maxChanged = 1000

// ChangedSince implements events.OrgChanges with one batched direct get
// of the last message of every subject of the organisation above afterSeq
// (ADR-31 multi_last): the server answers from its per-subject index,
// sending one message per changed aggregate and none for the others.
func (s *Store) ChangedSince(ctx context.Context, org string, afterSeq uint64) ([]events.LastOf, uint64, bool, error) {
	if !events.ValidToken(org) {
		return nil, 0, false, apperr.New(apperr.Invalid, "invalid organisation %q: use 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'", org, events.MaxTokenLen)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ch, done, err := s.getter.request(directRequest{Seq: afterSeq + 1, MultiLast: []string{events.OrgSubject(org)}, Batch: maxChanged})
	if err != nil {
		return nil, 0, false, unavailable(err, "the aggregates of %s", org)
	}
	defer done()
	var out []events.LastOf
	for {
		var m *nats.Msg
		select {
		case <-ctx.Done():
			return nil, 0, false, unavailable(fmt.Errorf("direct get: %w", ctx.Err()), "the aggregates of %s", org)
		case m = <-ch:
		}
		switch st := m.Header.Get(statusHeader); st {
		case "":
		case "404":
			// No subject of the organisation at all.
			return nil, 0, true, nil
		case "204":
			pending, _ := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
			upTo, err := strconv.ParseUint(m.Header.Get("Nats-UpTo-Sequence"), 10, 64)
			if pending > 0 || err != nil {
				return nil, 0, false, nil
			}
			return out, upTo, true, nil
		case "413":
			return nil, 0, false, nil
		default:
			return nil, 0, false, unavailable(statusError(m), "the aggregates of %s", org)
		}
		seq, err := strconv.ParseUint(m.Header.Get("Nats-Sequence"), 10, 64)
		ref, ok := refOf(m.Header.Get("Nats-Subject"))
		if err != nil || !ok {
			// Not an aggregate's subject: the events tell.
			return nil, 0, false, nil
		}
		out = append(out, events.LastOf{Ref: ref, Sequence: seq})
	}
}

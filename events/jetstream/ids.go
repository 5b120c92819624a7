package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go/jetstream"
)

// IDsBucket binds every aggregate's kind and ID to the organisation that
// holds it (key "<kind>.<id>", value the OID): aggregate IDs are global,
// and this answers who holds one with one direct look-up, where the
// stream could only answer by walking every organisation's subjects
// (grants.*.<kind>.<id>).
const IDsBucket = "GRANTS_IDS"

// idsComplete is the key that tells the bucket holds every aggregate of
// the stream (set once the aggregates written before the bucket existed
// were taken in).
const idsComplete = "_complete"

// reserve binds ref's kind and ID to ref.Org with the bucket's atomic
// create (one round trip), unless another organisation holds them. The
// server has stored it before the events are published; on the embedded
// server it is made durable behind them (reservingSyncer).
func (s *Store) reserve(ctx context.Context, ref events.Ref) error {
	if s.ids == nil {
		return nil
	}
	key := ref.Kind + "." + ref.ID
	_, err := s.ids.Create(ctx, key, []byte(ref.Org))
	if err == nil {
		return nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return unavailable(err, "reserving %s", key)
	}
	e, err := s.ids.Get(ctx, key)
	if err != nil {
		return unavailable(err, "reading the holder of %s", key)
	}
	if string(e.Value()) != ref.Org {
		return &events.IDTakenError{Ref: ref}
	}
	return nil
}

// holder returns the organisation that holds kind/id by the bucket; known
// is false when the bucket cannot tell (no bucket on this connection, or
// one that does not hold the aggregates written before it yet).
func (s *Store) holder(ctx context.Context, kind, id string) (org string, found, known bool, err error) {
	if s.ids == nil || !s.idsComplete {
		return "", false, false, nil
	}
	e, err := s.ids.Get(ctx, kind+"."+id)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return "", false, true, nil
	case err != nil:
		return "", false, false, err
	}
	return string(e.Value()), true, true, nil
}

// fillIDs takes the aggregates of the stream into the bucket, once: those
// written before the bucket existed (by an earlier release). It lists
// the stream's subjects grants.<org>.<kind>.<id> (one paged request per
// 100 000 subjects) and creates their keys; a key already there is kept.
func (s *Store) fillIDs(ctx context.Context) error {
	if _, err := s.ids.Get(ctx, idsComplete); err == nil {
		s.idsComplete = true
		return nil
	} else if !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("reading %s: %w", IDsBucket, err)
	}
	info, err := s.stream.Info(ctx, jetstream.WithSubjectFilter(events.SubjectPrefix+".*.*.*"))
	if err != nil {
		return fmt.Errorf("listing the aggregates of stream %s: %w", StreamName, err)
	}
	n := 0
	for subject := range info.State.Subjects {
		parts := strings.Split(subject, ".")
		if len(parts) != 4 {
			continue
		}
		if _, err := s.ids.Create(ctx, parts[2]+"."+parts[3], []byte(parts[1])); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("filling %s: %w", IDsBucket, err)
		}
		n++
	}
	if _, err := s.ids.Put(ctx, idsComplete, []byte(fmt.Sprint(n))); err != nil {
		return fmt.Errorf("filling %s: %w", IDsBucket, err)
	}
	s.idsComplete = true
	s.log.Info("aggregate IDs taken into their bucket", "bucket", IDsBucket, "aggregates", n)
	return nil
}

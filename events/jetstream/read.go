package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/nats-io/nats.go"
)

// Load implements events.Store with batched direct gets on the aggregate's
// subject; it creates no consumer.
func (s *Store) Load(ctx context.Context, ref events.Ref, afterSeq uint64) ([]events.Envelope, error) {
	if err := ref.Validate(); err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "invalid aggregate reference: %v", err)
	}
	return s.loadFilter(ctx, ref.Subject(), afterSeq)
}

// LoadOrg implements events.Store with batched direct gets on grants.<org>.>.
func (s *Store) LoadOrg(ctx context.Context, org string, afterSeq uint64) ([]events.Envelope, error) {
	if !events.ValidToken(org) {
		return nil, apperr.New(apperr.Invalid, "invalid organisation %q: use 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'", org, events.MaxTokenLen)
	}
	return s.loadFilter(ctx, events.OrgSubject(org), afterSeq)
}

func (s *Store) loadFilter(ctx context.Context, filter string, afterSeq uint64) ([]events.Envelope, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var out []events.Envelope
	err := s.getter.scan(ctx, filter, afterSeq+1, func(m *nats.Msg, seq uint64) error {
		out = append(out, decodeStored(m.Header.Get("Nats-Subject"), m.Header, m.Data, seq))
		return nil
	})
	if err != nil {
		return nil, unavailable(err, "loading %s", filter)
	}
	return out, nil
}

// Locate implements events.Store: the bucket GRANTS_IDS names the
// organisation in one look-up. Without it (an attached store), the last
// message on grants.*.<kind>.<id> does, which walks every organisation's
// subjects.
func (s *Store) Locate(ctx context.Context, kind, id string) (string, error) {
	if !events.ValidToken(kind) || !events.ValidToken(id) {
		return "", apperr.New(apperr.Invalid, "invalid aggregate %q/%q: use 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'", kind, id, events.MaxTokenLen)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if org, found, known, err := s.holder(ctx, kind, id); err != nil {
		return "", unavailable(err, "locating %s/%s", kind, id)
	} else if known && found {
		return org, nil
	} else if known {
		return "", events.ErrNotFound
	}
	m, found, err := s.getter.one(ctx, directRequest{LastBySubj: events.SubjectPrefix + ".*." + kind + "." + id})
	if err != nil {
		return "", unavailable(err, "locating %s/%s", kind, id)
	}
	if !found {
		return "", events.ErrNotFound
	}
	parts := strings.Split(m.Header.Get("Nats-Subject"), ".")
	if len(parts) != 4 {
		return "", fmt.Errorf("locating %s/%s: unexpected subject %q", kind, id, m.Header.Get("Nats-Subject"))
	}
	return parts[1], nil
}

// NextSequence returns the sequence of the first event stored at or after
// from; found is false when there is none. A record that NATS dropped
// (it failed its checksum) is not stored, though the stream's state may
// still count it.
func (s *Store) NextSequence(ctx context.Context, from uint64) (seq uint64, found bool, err error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	m, found, err := s.getter.one(ctx, directRequest{Seq: max(from, 1), NextBySubj: events.AllSubjects})
	if err != nil {
		return 0, false, unavailable(err, "reading stream %s at %d", StreamName, from)
	}
	if !found {
		return 0, false, nil
	}
	seq, err = parseSeq(m)
	return seq, err == nil, err
}

// corrupt marks an event that is stored but cannot be decoded.
func corrupt(err error) error {
	return apperr.Wrap(apperr.Internal, err, "a stored event cannot be read: %v", err)
}

// unavailable marks a failure to reach the stream; errors already typed
// (a corrupt event, a caller's error) pass unchanged.
func unavailable(err error, format string, args ...any) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	what := fmt.Sprintf(format, args...)
	return apperr.Wrap(apperr.Unavailable, fmt.Errorf("%s: %w", what, err), "the event store did not answer (%s)", what)
}

// lastOf returns the last event on subject; found is false if there is none.
func (s *Store) lastOf(ctx context.Context, subject string) (events.Envelope, bool, error) {
	m, found, err := s.getter.one(ctx, directRequest{LastBySubj: subject})
	if err != nil || !found {
		return events.Envelope{}, false, err
	}
	seq, err := parseSeq(m)
	if err != nil {
		return events.Envelope{}, false, err
	}
	e, err := DecodeMsg(m.Header.Get("Nats-Subject"), m.Header, m.Data, seq)
	return e, err == nil, err
}

// bySeq returns the event at seq.
func (s *Store) bySeq(ctx context.Context, seq uint64) (events.Envelope, error) {
	m, found, err := s.getter.one(ctx, directRequest{Seq: seq})
	if err != nil {
		return events.Envelope{}, err
	}
	if !found {
		return events.Envelope{}, fmt.Errorf("event %d: %w", seq, events.ErrNotFound)
	}
	return DecodeMsg(m.Header.Get("Nats-Subject"), m.Header, m.Data, seq)
}

func parseSeq(m *nats.Msg) (uint64, error) {
	var seq uint64
	if _, err := fmt.Sscan(m.Header.Get("Nats-Sequence"), &seq); err != nil {
		return 0, fmt.Errorf("direct get reply without a sequence: %w", err)
	}
	return seq, nil
}

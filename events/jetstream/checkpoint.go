package jetstream

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var _ events.Checkpointer = (*Store)(nil)

// WriteCheckpoint implements events.Checkpointer: one message on
// events.CheckpointSubject, after the events it covers.
func (s *Store) WriteCheckpoint(ctx context.Context, c events.Checkpoint) (uint64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	c.Heads = nil
	body, err := json.Marshal(c)
	if err != nil {
		return 0, err
	}
	msg := &nats.Msg{Subject: events.CheckpointSubject, Header: nats.Header{}, Data: body}
	msg.Header.Set(jetstream.MsgIDHeader, "checkpoint-"+strconv.FormatUint(c.Sequence, 10)+"-"+c.Digest[:16])
	ack, err := s.js.PublishMsg(ctx, msg)
	if err != nil {
		return 0, unavailable(err, "writing a checkpoint")
	}
	return ack.Sequence, nil
}

// Checkpoints implements events.Checkpointer with direct gets on
// events.CheckpointSubject.
func (s *Store) Checkpoints(ctx context.Context) ([]events.StoredCheckpoint, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var out []events.StoredCheckpoint
	err := s.getter.scan(ctx, events.CheckpointSubject, 1, func(m *nats.Msg, seq uint64) error {
		var c events.StoredCheckpoint
		if err := json.Unmarshal(m.Data, &c.Checkpoint); err != nil {
			return fmt.Errorf("the checkpoint at sequence %d cannot be read: %w", seq, err)
		}
		c.At = seq
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, unavailable(err, "reading the checkpoints")
	}
	return out, nil
}

// Missing implements events.Checkpointer: the stream's deleted sequences
// (it denies deletes, so each one is a record the server lost) and those
// it reports lost.
func (s *Store) Missing(ctx context.Context) ([]uint64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	info, err := s.stream.Info(ctx, jetstream.WithDeletedDetails(true))
	if err != nil {
		return nil, unavailable(err, "reading the state of stream %s", StreamName)
	}
	out := slices.Clone(info.State.Deleted)
	if info.State.Lost != nil {
		out = append(out, info.State.Lost.Msgs...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// LatestCheckpoint implements events.Checkpointer with one direct get of
// the last message on events.CheckpointSubject.
func (s *Store) LatestCheckpoint(ctx context.Context) (events.StoredCheckpoint, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	m, found, err := s.getter.one(ctx, directRequest{LastBySubj: events.CheckpointSubject})
	if err != nil {
		return events.StoredCheckpoint{}, false, unavailable(err, "reading the newest checkpoint")
	}
	if !found {
		return events.StoredCheckpoint{}, false, nil
	}
	seq, err := parseSeq(m)
	if err != nil {
		return events.StoredCheckpoint{}, false, err
	}
	var c events.StoredCheckpoint
	if err := json.Unmarshal(m.Data, &c.Checkpoint); err != nil {
		return c, false, fmt.Errorf("the checkpoint at sequence %d cannot be read: %w", seq, err)
	}
	c.At = seq
	return c, true, nil
}

// CheckpointAt implements events.Checkpointer with one direct get.
func (s *Store) CheckpointAt(ctx context.Context, seq uint64) (bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	m, found, err := s.getter.one(ctx, directRequest{Seq: seq})
	if err != nil {
		return false, unavailable(err, "reading stream %s at %d", StreamName, seq)
	}
	return found && m.Header.Get("Nats-Subject") == events.CheckpointSubject, nil
}

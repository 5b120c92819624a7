package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/internal/jspub"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Atomic batch headers (ADR-50).
const (
	headerBatchID     = "Nats-Batch-Id"
	headerBatchSeq    = "Nats-Batch-Sequence"
	headerBatchCommit = "Nats-Batch-Commit"
)

// Server error codes of atomic batches.
const (
	// errCodeIncompleteBatch: the server dropped the batch (for example
	// because too many batches were in flight); nothing was stored.
	errCodeIncompleteBatch jetstream.ErrorCode = 10176
	// errCodeTooManyInflight: too many batches in flight on the stream.
	errCodeTooManyInflight jetstream.ErrorCode = 10210
	// errCodeMessageTooLarge: the message exceeds the stream's maximum.
	errCodeMessageTooLarge jetstream.ErrorCode = 10054
	// errCodeHeaderTooLarge: the headers exceed 64 KiB.
	errCodeHeaderTooLarge jetstream.ErrorCode = 10097
)

// maxBatchesInFlight bounds this store's concurrent batches below the
// server's limit per stream (50).
const maxBatchesInFlight = 32

// errCodeDuplicateInBatch is the server's "atomic publish batch contains
// duplicate message id": a batch whose message ID was already stored.
const errCodeDuplicateInBatch jetstream.ErrorCode = 10201

// Append implements events.Store. One event is one publish; several are one
// atomic batch. The first message carries the expected last sequence of
// the aggregate's subject, or of grants.<org>.> with OrgWide. With a
// Syncer, it returns the events only once they are on disk, even those of
// a repeated append (whose first attempt may not be yet).
func (s *Store) Append(ctx context.Context, req events.AppendRequest) ([]events.Envelope, error) {
	envs, err := s.append(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := s.durable(ctx, req.Ref.String()); err != nil {
		return nil, err
	}
	return envs, nil
}

// append stores the events of req and returns them once the server has
// acknowledged them.
func (s *Store) append(ctx context.Context, req events.AppendRequest) ([]events.Envelope, error) {
	envs, err := events.Build(s.reg, s.clock, s.signer, req)
	if err != nil {
		return nil, err
	}
	if req.Expected.Version == 0 {
		// The aggregate's first events: its ID must be this
		// organisation's (one atomic create in GRANTS_IDS).
		if err := s.reserve(ctx, req.Ref); err != nil {
			return nil, err
		}
	}
	subject := req.Ref.Subject()
	key := req.Meta.IdempotencyKey
	msgs := make([]*nats.Msg, len(envs))
	for i := range envs {
		var h nats.Header
		var body []byte
		if len(envs) == 1 {
			// The one message of a command: its body is written to the
			// connection by the publish and then no longer read, so the
			// buffer is kept for the next append (a command's largest
			// allocation of the store).
			bp := bodies.Get().(*[]byte)
			h, body = make(nats.Header, 5), appendCloudEvent((*bp)[:0], &envs[i])
			defer func() {
				if cap(body) <= maxPooledBody {
					*bp = body[:0]
					bodies.Put(bp)
				}
			}()
		} else {
			h, body = encodeMsg(&envs[i], 5)
		}
		h[jetstream.MsgIDHeader] = []string{events.DedupID(key, i, envs[i].ID)}
		msgs[i] = &nats.Msg{Subject: subject, Header: h, Data: body}
	}
	if req.OrgWide {
		msgs[0].Header[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(req.OrgSequence, 10)}
		msgs[0].Header[jetstream.ExpectedLastSubjSeqSubjHeader] = []string{events.OrgSubject(req.Ref.Org)}
	} else {
		msgs[0].Header[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(req.Expected.Sequence, 10)}
	}

	ack, err := s.publish(ctx, msgs)
	if err != nil || ack.Duplicate {
		var cancel context.CancelFunc
		ctx, cancel = s.bound(ctx)
		defer cancel()
	}
	if err != nil {
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) {
			switch apiErr.ErrorCode {
			case jetstream.JSErrCodeStreamWrongLastSequence, jetstream.JSErrCodeStreamWrongLastSequenceConstant:
				return s.onConflict(ctx, req)
			case errCodeDuplicateInBatch:
				return s.originals(ctx, req, 0)
			case errCodeMessageTooLarge, errCodeHeaderTooLarge:
				return nil, apperr.Wrap(apperr.Invalid, err, "an event of the append to %s is too large to store", req.Ref)
			}
		}
		if errors.Is(err, nats.ErrMaxPayload) {
			return nil, apperr.Wrap(apperr.Invalid, err, "an event of the append to %s is too large to store", req.Ref)
		}
		return nil, apperr.Wrap(apperr.Unavailable, err, "the event store did not take the append to %s", req.Ref)
	}
	if ack.Duplicate {
		return s.originals(ctx, req, ack.Sequence)
	}
	s.noteAcked(ack.Sequence)
	first := ack.Sequence - uint64(len(envs)) + 1
	for i := range envs {
		envs[i].Sequence = first + uint64(i)
	}
	s.own.put(envs)
	return envs, nil
}

// errCodeDuplicateInProcess is a clustered stream's "duplicate message id
// is in process": an append under the same idempotency key is being
// replicated and not yet stored.
const errCodeDuplicateInProcess jetstream.ErrorCode = 10158

// publish sends msgs (one publish, or one atomic batch) and returns the
// server's ack. An append whose key's first append is still being
// replicated (a racing twin on a clustered stream) is sent again once
// that one is stored, which then answers it as a duplicate.
func (s *Store) publish(ctx context.Context, msgs []*nats.Msg) (*jetstream.PubAck, error) {
	wait := time.Millisecond
	for {
		var ack *jetstream.PubAck
		var err error
		if len(msgs) == 1 {
			// jspub bounds a context without a deadline, as the
			// jetstream package does, and reads the ack by hand.
			ack, err = jspub.Publish(ctx, s.js.Conn(), msgs[0])
		} else {
			ack, err = s.publishBatch(ctx, msgs)
		}
		var apiErr *jetstream.APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.ErrorCode != errCodeDuplicateInProcess {
			return ack, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last: %w)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// bodies keeps message bodies for the next single-event append; a body
// larger than maxPooledBody is left to the collector.
var (
	bodies        = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
	maxPooledBody = 64 << 10
)

// batchAck is the server's answer to the commit of an atomic batch.
type batchAck struct {
	Error *jetstream.APIError `json:"error,omitempty"`
	jetstream.PubAck
	BatchID string `json:"batch,omitempty"`
	Count   int    `json:"count,omitempty"`
}

// publishBatch publishes msgs as one atomic batch (ADR-50): the server
// stores all of them or none. A batch the server dropped unstored (too many
// in flight) is sent again.
func (s *Store) publishBatch(ctx context.Context, msgs []*nats.Msg) (*jetstream.PubAck, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	select {
	case s.batchSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.batchSlots }()
	wait := time.Millisecond
	for {
		ack, err := s.sendBatch(ctx, msgs)
		var apiErr *jetstream.APIError
		if err == nil || !errors.As(err, &apiErr) || (apiErr.ErrorCode != errCodeIncompleteBatch && apiErr.ErrorCode != errCodeTooManyInflight) {
			return ack, err
		}
		if s.onBatchRetry != nil {
			s.onBatchRetry(err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last: %w)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// sendBatch sends msgs once as a batch; only the commit waits for an answer.
func (s *Store) sendBatch(ctx context.Context, msgs []*nats.Msg) (*jetstream.PubAck, error) {
	id := nuid.Next()
	for i, m := range msgs {
		m.Header[headerBatchID] = []string{id}
		m.Header[headerBatchSeq] = []string{strconv.Itoa(i + 1)}
	}
	last := msgs[len(msgs)-1]
	last.Header[headerBatchCommit] = []string{"1"}
	for _, m := range msgs[:len(msgs)-1] {
		if err := s.nc.PublishMsg(m); err != nil {
			return nil, fmt.Errorf("publishing batch %s: %w", id, err)
		}
	}
	resp, err := s.nc.RequestMsgWithContext(ctx, last)
	if err != nil {
		return nil, fmt.Errorf("committing batch %s: %w", id, err)
	}
	var ack batchAck
	if err := json.Unmarshal(resp.Data, &ack); err != nil {
		return nil, fmt.Errorf("committing batch %s: unreadable answer %q", id, resp.Data)
	}
	if ack.Error != nil {
		return nil, ack.Error
	}
	if ack.Count != len(msgs) || ack.Sequence == 0 {
		return nil, fmt.Errorf("committing batch %s: the server stored %d of %d messages (last %d)", id, ack.Count, len(msgs), ack.Sequence)
	}
	return &ack.PubAck, nil
}

// onConflict answers a wrong-last-sequence: a retry of an append that went
// through (its events carry the idempotency key's scope) gets those events
// back, whether it was decided on the old head or not, or a
// *events.KeyReusedError if they were written for another request;
// anything else is a *events.ConflictError with the aggregate's current
// version.
func (s *Store) onConflict(ctx context.Context, req events.AppendRequest) ([]events.Envelope, error) {
	if key := req.Meta.IdempotencyKey; key != "" {
		found, err := s.withKey(ctx, req.Ref, 0, key)
		if err != nil {
			return nil, err
		}
		if len(found) > 0 {
			return sameRequest(req, found)
		}
	}
	last, _, err := s.lastOf(ctx, req.Ref.Subject())
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "reading the current version of %s", req.Ref)
	}
	return nil, req.Conflict(last.Version)
}

// originals returns the events first stored by an append that the stream
// recognised as a duplicate; dupSeq is the stream's sequence of the first
// of them when known.
func (s *Store) originals(ctx context.Context, req events.AppendRequest, dupSeq uint64) ([]events.Envelope, error) {
	key := req.Meta.IdempotencyKey
	var after uint64
	if dupSeq > 0 {
		first, err := s.bySeq(ctx, dupSeq)
		if err != nil {
			return nil, apperr.Wrap(apperr.Unavailable, err, "reading the events of a repeated append to %s", req.Ref)
		}
		if first.Ref != req.Ref {
			return nil, &events.KeyReusedError{Ref: req.Ref, Used: first.Ref}
		}
		after = dupSeq - 1
	}
	found, err := s.withKey(ctx, req.Ref, after, key)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		// Not on this aggregate: the key's first append was to another.
		return nil, &events.KeyReusedError{Ref: req.Ref}
	}
	return sameRequest(req, found)
}

// sameRequest returns found, the events first stored under the scope of
// req's idempotency key, if they were written for req's request (they
// carry its whole key), else a *events.KeyReusedError.
func sameRequest(req events.AppendRequest, found []events.Envelope) ([]events.Envelope, error) {
	if found[0].IdempotencyKey != req.Meta.IdempotencyKey {
		return nil, &events.KeyReusedError{Ref: req.Ref, Used: found[0].Ref}
	}
	return found, nil
}

// withKey returns the events of the last append to ref after seq whose
// message IDs derive from key's scope.
func (s *Store) withKey(ctx context.Context, ref events.Ref, after uint64, key string) ([]events.Envelope, error) {
	var found []events.Envelope
	first := events.DedupID(key, 0, "")
	err := s.getter.scan(ctx, ref.Subject(), after+1, func(m *nats.Msg, seq uint64) error {
		id := m.Header.Get(jetstream.MsgIDHeader)
		switch {
		case id == first:
			found = found[:0]
		case len(found) > 0 && id == events.DedupID(key, len(found), ""):
		default:
			return nil
		}
		e, err := DecodeMsg(m.Header.Get("Nats-Subject"), m.Header, m.Data, seq)
		if err != nil {
			return err
		}
		found = append(found, e)
		return nil
	})
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "reading the events of a repeated append to %s", ref)
	}
	return found, nil
}

// Package jetstream is the event store of the grant ledger on NATS
// JetStream: the stream GRANTS holds every event (subjects grants.>), the
// key-value bucket GRANTS_IDS the organisation that holds each aggregate
// ID, and
// StartEmbedded runs the NATS server inside the process.
//
// Appends publish with Nats-Expected-Last-Subject-Sequence (optimistic
// concurrency per aggregate, or per organisation with
// Nats-Expected-Last-Subject-Sequence-Subject), several events at once as
// one atomic batch (ADR-50). Reads of one aggregate or organisation, Locate
// and short Events ranges use batched direct gets (ADR-31) and create no
// consumer; long Events ranges and Subscribe read through one ordered
// consumer per call, removed when the call returns.
//
// Idempotency: each event's Nats-Msg-Id derives from the scope of the
// command's idempotency key (hex SHA-256 prefix + "-" + index; see
// events.Meta), else it is the event ID. The stream's deduplication is the
// key's one record: a retry within the duplicate window writes nothing and
// gets the events first stored (a racing twin too, wherever it was
// decided); so does a retry decided on the head before its first attempt,
// at any time (the events carrying the key are found on the aggregate). A
// key already used for another aggregate, or for another request, is
// refused with an *events.KeyReusedError. No record is kept beside the
// events (earlier releases kept one in the bucket GRANTS_IDEMPOTENCY,
// which is no longer read or written: see README).
//
// Free-text header values that would not survive a NATS header verbatim
// (line breaks, surrounding blanks) are written as "b64:" followed by their
// unpadded base64url form; DecodeMsg reverses it.
//
// The embedded server (StartEmbedded) accepts only nkey users: its own
// in-process identity, generated at each start, and the identities it is
// given (ServicePermissions, ReaderPermissions), which can neither publish
// events nor delete, purge or change the stream nor touch a key-value
// bucket. On it, appends are durable by default (DurabilityFsync): Append
// returns only after a group commit, one fsync of the stream's block files
// shared by the concurrent appends, that began after the server's ack.
package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// StreamName is the stream that holds every event.
const StreamName = "GRANTS"

// DefaultDuplicateWindow is how long the stream recognises a retried append
// by its message IDs. It only has to cover appends under one key racing or
// in flight (a twin being replicated, a client's quick retry): after it a
// retry is recognised from the events of its aggregate, which carry the key.
// The stream keeps one message ID per event of the window in the server's
// memory (about 100 bytes each), so the window's length times the command
// rate is heap: 2 minutes held ~70 MB at 6 000 events/s, 30 s a quarter.
const DefaultDuplicateWindow = 30 * time.Second

// DefaultRequestTimeout bounds a read request whose context has no deadline.
const DefaultRequestTimeout = 10 * time.Second

// Config tunes Open. The zero Config is usable.
type Config struct {
	// DuplicateWindow is the stream's duplicate window (default 30s).
	DuplicateWindow time.Duration
	// Replicas is the stream's and bucket's replica count (default 1).
	Replicas int
	// Clock fills in Meta.RecordedAt when an append leaves it zero; without
	// a clock such an append is refused.
	Clock events.Clock
	// Signer signs every appended event (see events.Build); nil appends
	// unsigned events, which verification flags.
	Signer events.Signer
	// RequestTimeout bounds reads whose context has no deadline (default 10s).
	RequestTimeout time.Duration
	// Logger receives warnings; nil discards them.
	Logger *slog.Logger
	// StreamConn, if set, is the connection Events and Subscribe read the
	// stream through (the caller keeps ownership). A separate TCP loopback
	// connection reads markedly faster than an in-process one, whose pipe
	// is unbuffered: use it for replays.
	StreamConn *nats.Conn
	// LoadConn, if set, is the connection the direct gets of Load,
	// LoadOrg and Locate go through (the caller keeps ownership), apart
	// from the appends: a project loaded in full after a restart (hundreds
	// of kilobytes of replies) then does not hold up the acknowledgements
	// of other commands' publishes on one connection, nor they its
	// replies. Default: the store's connection.
	LoadConn *nats.Conn
	// Health, if set, tells why the server cannot take writes now (nil
	// when it can); Ready reports it. OpenEmbedded sets it.
	Health func() error
	// Syncer, if set, makes appends durable: Append returns only after a
	// Syncer.Sync that began after the server acknowledged the append
	// (concurrent appends share one). OpenEmbedded sets it by default.
	Syncer Syncer
	// Attach makes Open look the stream up instead of creating or
	// updating it and the buckets, for an identity that may only read
	// the stream (the service identity of a running grants serve).
	Attach bool
}

// Store is the events.Store on JetStream. It is safe for concurrent use.
type Store struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	// readStream is the stream handle Events and Subscribe consume
	// through, on the connection readConn.
	readStream jetstream.Stream
	readConn   *nats.Conn
	reg        *events.Registry
	clock      events.Clock
	signer     events.Signer
	timeout    time.Duration
	log        *slog.Logger
	getter     *directGetter
	// ids is the bucket GRANTS_IDS (nil when attached); idsComplete: it
	// holds every aggregate of the stream.
	ids         jetstream.KeyValue
	idsComplete bool
	// tails is the bucket GRANTS_CHECKPOINT_TAILS (nil when attached).
	tails jetstream.KeyValue
	// acked is the highest stream sequence the server acknowledged to
	// this store (reservingSyncer).
	acked atomic.Uint64
	// batchSlots bounds the atomic batches in flight.
	batchSlots chan struct{}
	// onBatchRetry, if set, is told of every batch sent again (for tests).
	onBatchRetry func(error)
	// health is Config.Health.
	health func() error
	// commit, if set, is the group committer appends wait for.
	commit *groupCommitter
	// own holds the latest events this store appended, for its readers
	// (ownEvents).
	own ownEvents
}

var _ events.Store = (*Store)(nil)

// StreamConfig is the configuration Open gives the stream GRANTS: file
// storage, no limit (events are never deleted by retention), no delete or
// purge, direct gets and atomic batches allowed.
func StreamConfig(cfg Config) jetstream.StreamConfig {
	cfg = withDefaults(cfg)
	return jetstream.StreamConfig{
		Name:               StreamName,
		Description:        "Erasmus+ grant ledger: every event, never deleted",
		Subjects:           []string{events.AllSubjects},
		Retention:          jetstream.LimitsPolicy,
		Storage:            jetstream.FileStorage,
		MaxAge:             0,
		MaxMsgs:            -1,
		MaxBytes:           -1,
		MaxMsgsPerSubject:  -1,
		Discard:            jetstream.DiscardNew,
		Duplicates:         cfg.DuplicateWindow,
		Replicas:           cfg.Replicas,
		DenyDelete:         true,
		DenyPurge:          true,
		AllowDirect:        true,
		AllowAtomicPublish: true,
	}
}

func withDefaults(cfg Config) Config {
	if cfg.DuplicateWindow <= 0 {
		cfg.DuplicateWindow = DefaultDuplicateWindow
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// Open creates or updates the stream GRANTS and the buckets GRANTS_IDS
// and GRANTS_CHECKPOINT_TAILS on nc's server and returns the store. The
// caller keeps ownership of nc.
func Open(ctx context.Context, nc *nats.Conn, reg *events.Registry, cfg Config) (*Store, error) {
	cfg = withDefaults(cfg)
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	if cfg.Attach {
		return attach(ctx, nc, js, reg, cfg)
	}
	stream, err := js.CreateOrUpdateStream(ctx, StreamConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("creating or updating stream %s: %w", StreamName, err)
	}
	ids, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      IDsBucket,
		Description: "Aggregate IDs of the grant ledger: <kind>.<id> -> the organisation that holds it",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("creating or updating bucket %s: %w", IDsBucket, err)
	}
	tails, err := js.CreateOrUpdateKeyValue(ctx, TailsBucketConfig(cfg))
	if err != nil {
		return nil, fmt.Errorf("creating or updating bucket %s: %w", TailsBucket, err)
	}
	readStream, readConn := stream, nc
	if cfg.StreamConn != nil && cfg.StreamConn != nc {
		readConn = cfg.StreamConn
		rjs, err := jetstream.New(cfg.StreamConn)
		if err != nil {
			return nil, fmt.Errorf("jetstream: %w", err)
		}
		if readStream, err = rjs.Stream(ctx, StreamName); err != nil {
			return nil, fmt.Errorf("opening stream %s on the read connection: %w", StreamName, err)
		}
	}
	st, err := newStore(nc, js, stream, readStream, readConn, reg, cfg)
	if err != nil {
		return nil, err
	}
	st.ids, st.tails = ids, tails
	if err := st.fillIDs(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// attach opens the store on the existing stream, creating nothing.
func attach(ctx context.Context, nc *nats.Conn, js jetstream.JetStream, reg *events.Registry, cfg Config) (*Store, error) {
	stream, err := js.Stream(ctx, StreamName)
	if err != nil {
		return nil, fmt.Errorf("opening stream %s: %w", StreamName, err)
	}
	return newStore(nc, js, stream, stream, nc, reg, cfg)
}

func newStore(nc *nats.Conn, js jetstream.JetStream, stream, readStream jetstream.Stream, readConn *nats.Conn, reg *events.Registry, cfg Config) (*Store, error) {
	getConn := nc
	if cfg.LoadConn != nil {
		getConn = cfg.LoadConn
	}
	getter, err := newDirectGetter(getConn, StreamName)
	if err != nil {
		return nil, err
	}
	s := &Store{
		nc: nc, js: js, stream: stream, readStream: readStream, readConn: readConn, reg: reg, clock: cfg.Clock, signer: cfg.Signer,
		timeout: cfg.RequestTimeout, log: cfg.Logger, getter: getter,
		batchSlots: make(chan struct{}, maxBatchesInFlight), health: cfg.Health,
	}
	if cfg.Syncer != nil {
		s.commit = newGroupCommitter(cfg.Syncer)
	}
	return s, nil
}

// Close releases the store's subscriptions; the connection stays open.
func (s *Store) Close() error { return s.getter.close() }

// Ready reports whether the stream is reachable and present and, with
// Config.Health, whether the server takes writes.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if s.health != nil {
		if err := s.health(); err != nil {
			return err
		}
	}
	if _, err := s.js.Stream(ctx, StreamName); err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("stream %s is missing", StreamName)
		}
		return fmt.Errorf("stream %s is not reachable: %w", StreamName, err)
	}
	return nil
}

// LastSequence implements events.Store: the sequence of the stream's last
// event. A signed checkpoint written after it (events.CheckpointSubject)
// is not an event: readiness, the projection lag and a catch-up compare
// with the events.
func (s *Store) LastSequence(ctx context.Context) (uint64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	info, err := s.stream.Info(ctx)
	if err != nil {
		return 0, unavailable(err, "reading the last sequence of stream %s", StreamName)
	}
	last := info.State.LastSeq
	if last == 0 {
		return 0, nil
	}
	cp, found, err := s.getter.one(ctx, directRequest{LastBySubj: events.CheckpointSubject})
	if err != nil {
		return 0, unavailable(err, "reading the last sequence of stream %s", StreamName)
	}
	if !found {
		return last, nil
	}
	if at, err := parseSeq(cp); err != nil || at != last {
		return last, err
	}
	// The stream ends on checkpoints: the last event's sequence is the one
	// before them (a record lost there still counts, so that a reader
	// reports it rather than stops short of it).
	for last > 1 {
		isCp, err := s.CheckpointAt(ctx, last-1)
		if err != nil {
			return 0, err
		}
		if !isCp {
			break
		}
		last--
	}
	return last - 1, nil
}

// bound gives ctx the store's request timeout if it has no deadline.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

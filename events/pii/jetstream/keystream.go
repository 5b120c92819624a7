package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/jspub"
)

// KeysStream is the stream of the subject keys made since issue 16. A key
// is a message on $PII.key.<shard> (header KeyIDHeader names its subject
// key ID, the data is the wrapped key), an erasure a message on
// $PII.erased.<shard> (the data is the subject key ID); shard is the
// first three hex digits of the subject key ID (pii.KeyID): at most 4 096
// subjects of each, whatever the number of participants.
const KeysStream = "GRANTS_PII_SUBJECT_KEYS"

// KeyIDHeader names the subject key ID of a key message.
const KeyIDHeader = "Grants-Key-Id"

// PoolKeyHeader names, on a binding (a message on $PII.key.<shard> with
// no data), the sequence of the pooled key the subject took (pool.go).
const PoolKeyHeader = "Grants-Pool-Key"

// Subjects of KeysStream.
const (
	keyPrefix    = "$PII.key."
	erasedPrefix = "$PII.erased."
	// poolSubject holds the pooled keys, made durable ahead in bulk
	// before any subject takes them (pool.go).
	poolSubject = "$PII.pool"
	// syncedSubject holds the bindings' mark (bindmark.go).
	syncedSubject = "$PII.synced"
)

// shard returns the shard of subject key id: the three hex digits after
// its "s" (pii.KeyID), or "x" for an ID of another form.
func shard(id string) string {
	if len(id) < 4 {
		return "x"
	}
	return id[1:4]
}

// KeySubject returns the subject of the keys of subject key id.
func KeySubject(id string) string { return keyPrefix + shard(id) }

func erasedSubject(id string) string { return erasedPrefix + shard(id) }

// openKeyStream creates or updates KeysStream: no limit per subject (a
// shard holds the keys of many subjects), deletes allowed (PD-ERASE needs
// a message overwritten, Stream.SecureDeleteMsg), and direct gets on one
// server only. On a cluster a direct get may be answered by a replica
// that has not yet stored a message the leader acknowledged: a key just
// made would read as gone, and Add's check could miss an erasure's notice
// (PD-ERASE), so there every get goes to the leader.
func openKeyStream(ctx context.Context, js jetstream.JetStream, replicas int) (jetstream.Stream, error) {
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        KeysStream,
		Description: "the participants' personal-data keys, each wrapped by the master key and addressed by its sequence (pii.Sealed.KeySeq), and the erasures (PD-ERASE); subjects are shards of the subject key IDs",
		Subjects:    []string{keyPrefix + "*", erasedPrefix + "*", poolSubject, syncedSubject},
		MaxBytes:    -1,
		MaxAge:      0,
		MaxMsgSize:  -1,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
		Discard:     jetstream.DiscardNew,
		AllowDirect: replicas == 1,
		AllowRollup: true, // the bindings' mark keeps its last message only
		Duplicates:  2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("opening stream %s: %w", KeysStream, err)
	}
	return st, nil
}

// followErasures follows the erasure notices written from now on (by any
// instance): each drops the erased subject's keys from memory.
func (k *Keys) followErasures(ctx context.Context) error {
	c, err := k.js.OrderedConsumer(ctx, KeysStream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{erasedPrefix + "*"},
		DeliverPolicy:  jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return fmt.Errorf("following the erasures of %s: %w", KeysStream, err)
	}
	k.cc, err = c.Consume(func(m jetstream.Msg) { k.markErased(string(m.Data())) })
	if err != nil {
		return fmt.Errorf("following the erasures of %s: %w", KeysStream, err)
	}
	return nil
}

// markErased records that subject key id was erased and forgets its keys.
func (k *Keys) markErased(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.erased[id] = struct{}{}
	if c, ok := k.current.get(id); ok {
		k.bySeq.drop(c.seq)
	}
	k.current.drop(id)
	k.legacy.drop(id)
	// A key of id read by sequence and still held is dropped with the
	// cache's generation; until then Key refuses it (erased above).
}

// isErased reports whether subject key id was erased: from memory when
// every erasure notice of its shard is known, else after reading the
// notices of the shard not yet known (erasures are few). It asks the
// stream for the shard's last notice, so an erasure stored before the
// call is seen.
func (k *Keys) isErased(ctx context.Context, id string) (bool, error) {
	subj := erasedSubject(id)
	last, err := k.keys.GetLastMsgForSubject(ctx, subj)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the erasures of %s: %w", subj, err)
	}
	k.markErased(string(last.Data))
	if string(last.Data) == id {
		return true, nil
	}
	sh := shard(id)
	k.mu.Lock()
	_, erased := k.erased[id]
	from := k.seen[sh] + 1
	k.mu.Unlock()
	if erased || from > last.Sequence {
		return erased, nil
	}
	for seq := from; seq < last.Sequence; {
		m, err := k.keys.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return false, fmt.Errorf("reading the erasures of %s: %w", subj, err)
		}
		k.markErased(string(m.Data))
		seq = m.Sequence + 1
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.seen[sh] = max(k.seen[sh], last.Sequence)
	_, erased = k.erased[id]
	return erased, nil
}

// Current implements pii.KeyStore: the key this instance sealed with or
// opened last for id, if it still holds it.
func (k *Keys) Current(id string) (uint64, []byte, bool, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.erased[id]; ok {
		return 0, nil, false, pii.ErrErased
	}
	c, ok := k.current.get(id)
	return c.seq, c.wrapped, ok, nil
}

// addAttempts is how many times Add (and a pooled key's binding) is
// published expecting its shard's erasure notices to be the ones this
// instance knows, before it is published and checked afterwards instead
// (addChecked, bindChecked).
const addAttempts = 3

// errNoticesMoving says that the erasure notices of a shard kept coming
// while publishUnlessErased tried.
var errNoticesMoving = errors.New("the erasure notices of the shard kept coming")

// publishUnlessErased publishes msg (a key or a binding of subject key id,
// on id's shard) expecting the last erasure notice of the shard to be the
// last this instance has read (seen, with every earlier notice of the
// shard in erased), so nats-server stores it only if no erasure came
// since, in the same step. If one did, the notices are read and msg is
// published again. It returns pii.ErrErased, with nothing stored, if id
// was erased, and errNoticesMoving after addAttempts tries. One round trip
// where publishing and then reading the shard's last notice were two
// (1.5 % of the server's CPU under the relaxed report benchmark, every
// report a new participant, and as much again in nats-server).
func (k *Keys) publishUnlessErased(ctx context.Context, id string, msg *nats.Msg) (*jetstream.PubAck, error) {
	sh := shard(id)
	msg.Header[jetstream.ExpectedLastSubjSeqSubjHeader] = []string{erasedSubject(id)}
	for range addAttempts {
		k.mu.Lock()
		_, erased := k.erased[id]
		seen := k.seen[sh]
		k.mu.Unlock()
		if erased {
			return nil, pii.ErrErased
		}
		msg.Header[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(seen, 10)}
		ack, err := jspub.Publish(ctx, k.js.Conn(), msg)
		var apiErr *jetstream.APIError
		if !errors.As(err, &apiErr) || (apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence && apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
			return ack, err
		}
		// An erasure notice this instance has not read: read them
		// (isErased advances seen) and try again.
		if _, err := k.isErased(ctx, id); err != nil {
			return nil, err
		}
	}
	return nil, errNoticesMoving
}

// Add implements pii.KeyStore. An erasure appends its notice first and then
// destroys every key of the subject stored before it (Destroy), so a key
// stored before the notice is destroyed by it, and one stored after must
// not be: the key is published unless the subject was erased
// (publishUnlessErased), or, while erasures keep coming, published and
// checked afterwards (addChecked).
func (k *Keys) Add(ctx context.Context, id string, wrapped []byte) (uint64, error) {
	msg := &nats.Msg{Subject: KeySubject(id), Header: nats.Header{KeyIDHeader: []string{id}}, Data: wrapped}
	ack, err := k.publishUnlessErased(ctx, id, msg)
	switch {
	case errors.Is(err, errNoticesMoving):
		return k.addChecked(ctx, id, wrapped)
	case errors.Is(err, pii.ErrErased):
		return 0, err
	case err != nil:
		return 0, fmt.Errorf("storing a key of subject key %s: %w", id, err)
	}
	return k.added(id, ack.Sequence, wrapped)
}

// addChecked appends the key to its shard, then checks the erasures
// (publishChecked). Add falls back to it while erasures keep coming.
func (k *Keys) addChecked(ctx context.Context, id string, wrapped []byte) (uint64, error) {
	msg := &nats.Msg{Subject: KeySubject(id), Header: nats.Header{KeyIDHeader: []string{id}}, Data: wrapped}
	seq, err := k.publishChecked(ctx, id, msg)
	if err != nil {
		return 0, err
	}
	return k.added(id, seq, wrapped)
}

// publishChecked publishes msg (a key or a binding of subject key id) on
// its shard, then reads the shard's erasures: a message stored after id's
// erasure notice finds it here, and is destroyed with the keys in also
// (the pooled key a binding names) before pii.ErrErased is returned. The
// fallback of publishUnlessErased while erasures keep coming.
func (k *Keys) publishChecked(ctx context.Context, id string, msg *nats.Msg, also ...uint64) (uint64, error) {
	ack, err := jspub.Publish(ctx, k.js.Conn(), msg)
	if err != nil {
		return 0, fmt.Errorf("storing a key or binding of subject key %s: %w", id, err)
	}
	if erased, err := k.isErased(ctx, id); err != nil || !erased {
		return ack.Sequence, err
	}
	for _, s := range append(also, ack.Sequence) {
		if err := k.secureDelete(ctx, s); err != nil {
			return 0, fmt.Errorf("destroying a key of erased subject key %s: %w", id, err)
		}
	}
	return 0, pii.ErrErased
}

// added makes the key stored at seq durable (with a syncer) and keeps it
// in memory.
func (k *Keys) added(id string, seq uint64, wrapped []byte) (uint64, error) {
	if err := syncStream(k.syncer, "a key of subject key "+id, false); err != nil {
		return 0, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.erased[id]; !ok {
		k.current.put(id, seqKey{seq: seq, wrapped: wrapped})
		k.bySeq.put(seq, wrapped)
	}
	return seq, nil
}

// Key implements pii.KeyStore: one direct get by sequence. A key deleted
// (destroyed) is ErrErased; a message that is neither a key of id's nor a
// pooled key is refused. (A pooled key's binding is not read: the block
// binds its subject and the key's sequence, and only the key that sealed
// it opens it; an erasure destroys the pooled keys its subject took.)
func (k *Keys) Key(ctx context.Context, id string, seq uint64) ([]byte, error) {
	k.mu.Lock()
	_, erased := k.erased[id]
	b, ok := k.bySeq.get(seq)
	k.mu.Unlock()
	if erased {
		return nil, pii.ErrErased
	}
	if ok {
		return b, nil
	}
	m, err := k.keys.GetMsg(ctx, seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, pii.ErrErased
	}
	if err != nil {
		return nil, fmt.Errorf("reading key %d of subject key %s: %w", seq, id, err)
	}
	if m.Subject != poolSubject && (m.Subject != KeySubject(id) || m.Header.Get(KeyIDHeader) != id) {
		return nil, fmt.Errorf("message %d of %s is not a key of subject key %s", seq, KeysStream, id)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.erased[id]; ok {
		return nil, pii.ErrErased
	}
	k.bySeq.put(seq, m.Data)
	if _, ok := k.current.get(id); !ok {
		k.current.put(id, seqKey{seq: seq, wrapped: m.Data})
	}
	return m.Data, nil
}

// Destroy implements pii.KeyStore: the erasure's notice is appended
// first, then every key of id stored before it is deleted with a secure
// delete (its bytes overwritten in the block file), every pooled key id
// took with its binding, and id's key in the bucket of older keys. A key added after the notice finds it (Add).
// Destroying again (a command decided again after a conflict, another
// instance) finds the keys added meanwhile; both succeed.
func (k *Keys) Destroy(ctx context.Context, id string) error {
	ack, err := k.js.PublishMsg(ctx, &nats.Msg{Subject: erasedSubject(id), Data: []byte(id)})
	if err != nil {
		return fmt.Errorf("recording the erasure of subject key %s: %w", id, err)
	}
	k.markErased(id)
	subj := KeySubject(id)
	for seq := uint64(1); seq < ack.Sequence; {
		m, err := k.keys.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the keys of %s: %w", subj, err)
		}
		if m.Header.Get(KeyIDHeader) == id {
			if err := k.destroyPooled(ctx, id, m); err != nil {
				return err
			}
			if err := k.secureDelete(ctx, m.Sequence); err != nil {
				return fmt.Errorf("destroying key %d of subject key %s: %w", m.Sequence, id, err)
			}
		}
		seq = m.Sequence + 1
	}
	if err := k.destroyLegacy(ctx, id); err != nil {
		return err
	}
	return syncStream(k.syncer, "the erasure of subject key "+id, true)
}

// secureDelete deletes key message seq with a secure delete; a message
// deleted already (by another instance) is no error.
func (k *Keys) secureDelete(ctx context.Context, seq uint64) error {
	err := k.keys.SecureDeleteMsg(ctx, seq)
	if err == nil {
		return nil
	}
	if _, gerr := k.keys.GetMsg(ctx, seq); errors.Is(gerr, jetstream.ErrMsgNotFound) {
		return nil
	}
	return err
}

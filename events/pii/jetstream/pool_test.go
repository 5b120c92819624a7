package jetstream_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	ejs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
)

// pooled opens a key instance on emb with a pool of batch keys, synced by
// syncer; its events are those scan returns (the marker never moves on
// its own: a crash is a key instance left unclosed).
func pooled(t *testing.T, emb *ejs.Embedded, master []byte, syncer piijs.Syncer, acked func() uint64, scan func(context.Context, uint64, func(pii.Sealed) error) (uint64, error)) (*piijs.Keys, *pii.KeyVault) {
	t.Helper()
	k := open(t, emb)
	v, err := pii.NewVault(master, k)
	if err != nil {
		t.Fatal(err)
	}
	k.SetSyncer(syncer, syncer)
	if err := k.StartPool(context.Background(), piijs.PoolConfig{NewKey: v.NewPoolKey, Batch: 16, Acked: acked, Scan: scan, MarkEvery: time.Hour}); err != nil {
		t.Fatal(err)
	}
	return k, v
}

// ledger stands for the event stream of the pool tests: the sealed
// blocks of its events, by sequence.
type ledger struct{ blocks []pii.Sealed }

func (l *ledger) acked() uint64 { return uint64(len(l.blocks)) }

func (l *ledger) scan(_ context.Context, from uint64, fn func(pii.Sealed) error) (uint64, error) {
	for i := from; from > 0 && i <= uint64(len(l.blocks)); i++ {
		if err := fn(l.blocks[i-1]); err != nil {
			return 0, err
		}
	}
	return uint64(len(l.blocks)), nil
}

// streamMsg reads message seq of the key stream.
func streamMsg(t *testing.T, emb *ejs.Embedded, seq uint64) (*natsjs.RawStreamMsg, error) {
	t.Helper()
	st, err := mustJS(t, emb).Stream(context.Background(), piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	return st.GetMsg(context.Background(), seq)
}

// bindingsOf returns the bindings of subject s on its shard: pooled key
// sequence -> the binding's sequence.
func bindingsOf(t *testing.T, emb *ejs.Embedded, s pii.Subject) map[string]uint64 {
	t.Helper()
	st, err := mustJS(t, emb).Stream(context.Background(), piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for from := uint64(1); ; {
		m, err := st.GetMsg(context.Background(), from, natsjs.WithGetMsgSubject(piijs.KeySubject(pii.KeyID(s))))
		if errors.Is(err, natsjs.ErrMsgNotFound) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if pk := m.Header.Get(piijs.PoolKeyHeader); pk != "" && m.Header.Get(piijs.KeyIDHeader) == pii.KeyID(s) {
			out[pk] = m.Sequence
		}
		from = m.Sequence + 1
	}
}

// bindingOf returns the sequence of the binding of pooled key seq to
// subject s (0 if none).
func bindingOf(t *testing.T, emb *ejs.Embedded, s pii.Subject, seq uint64) uint64 {
	t.Helper()
	return bindingsOf(t, emb, s)[strconv.FormatUint(seq, 10)]
}

// TestANewSubjectTakesADurableKey: PD-SEALED with the pool. A new
// subject's key was made durable in its batch before it was taken, so
// sealing waits for no fsync; the block opens on another instance, and
// the subject's next block reuses the key.
func TestANewSubjectTakesADurableKey(t *testing.T) {
	emb, _, _ := sealedFixture(t, 9, 0)
	ctx := context.Background()
	master := bytes.Repeat([]byte{9}, pii.KeySize)
	syncs := &countingSyncer{}
	l := &ledger{}
	_, v := pooled(t, emb, master, syncs, l.acked, l.scan)
	before := syncs.n.Load()
	s := pii.Subject{Org: "E6", Participant: "P6"}
	b, err := v.Seal(ctx, s, []byte(`{"last_name":"Mäkinen"}`))
	if err != nil {
		t.Fatal(err)
	}
	again, err := v.Seal(ctx, s, []byte(`{}`))
	if err != nil || again.KeySeq != b.KeySeq {
		t.Fatalf("the subject's next block has key %d (%v), want %d", again.KeySeq, err, b.KeySeq)
	}
	if m, err := streamMsg(t, emb, b.KeySeq); err != nil || m.Subject != "$PII.pool" {
		t.Fatalf("the block's key %d is %v (%v), want a pooled key", b.KeySeq, m, err)
	}
	if bindingOf(t, emb, s, b.KeySeq) == 0 {
		t.Fatal("PD-ERASE: the pooled key is not bound to its subject")
	}
	// The refill started by the first take may sync its own batch
	// meanwhile (one at a time, and the pool of 16 never runs dry here);
	// sealing itself synced nothing: no fsync per new subject.
	for i := range 6 {
		if _, err := v.Seal(ctx, pii.Subject{Org: "E6", Participant: "Q" + strconv.Itoa(i)}, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if n := syncs.n.Load() - before; n > 1 {
		t.Fatalf("PD-SEALED: 7 new subjects cost %d fsyncs; want at most the one refill's", n)
	}
	fresh, _ := pii.NewVault(master, open(t, emb))
	if got, err := fresh.Open(ctx, b); err != nil || !bytes.Contains(got, []byte("Mäkinen")) {
		t.Fatalf("PD-SEALED: the block does not open on another instance: %q %v", got, err)
	}
}

// TestErasureDestroysPooledKeys: PD-ERASE finds the pooled keys a subject
// took, on any instance, through their bindings, and destroys them with
// the bindings; a block sealed with a key of the subject's own (before the
// pool) goes too.
func TestErasureDestroysPooledKeys(t *testing.T) {
	emb, va, _ := sealedFixture(t, 10, 0)
	ctx := context.Background()
	master := bytes.Repeat([]byte{10}, pii.KeySize)
	s := pii.Subject{Org: "E7", Participant: "P7"}
	own, err := va.Seal(ctx, s, []byte(`{"last_name":"Koskinen"}`))
	if err != nil {
		t.Fatal(err)
	}
	l := &ledger{}
	_, vp := pooled(t, emb, master, &countingSyncer{}, l.acked, l.scan)
	// Another instance with a pool of its own: the subject's second key.
	_, vq := pooled(t, emb, master, &countingSyncer{}, l.acked, l.scan)
	p1, err := vp.Seal(ctx, s, []byte(`{"last_name":"Koskinen"}`))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := vq.Seal(ctx, s, []byte(`{"last_name":"Koskinen"}`))
	if err != nil {
		t.Fatal(err)
	}
	bindings := []uint64{bindingOf(t, emb, s, p1.KeySeq), bindingOf(t, emb, s, p2.KeySeq)}
	if p1.KeySeq == p2.KeySeq || bindings[0] == 0 || bindings[1] == 0 {
		t.Fatalf("two instances' pooled keys %d and %d, bindings %v", p1.KeySeq, p2.KeySeq, bindings)
	}
	if err := va.Destroy(ctx, s); err != nil { // an instance without a pool
		t.Fatal(err)
	}
	for _, seq := range append([]uint64{own.KeySeq, p1.KeySeq, p2.KeySeq}, bindings...) {
		if _, err := streamMsg(t, emb, seq); !errors.Is(err, natsjs.ErrMsgNotFound) {
			t.Errorf("PD-ERASE: message %d of the subject survives the erasure: %v", seq, err)
		}
	}
	fresh, _ := pii.NewVault(master, open(t, emb))
	for _, b := range []pii.Sealed{own, p1, p2} {
		if _, err := fresh.Open(ctx, b); !errors.Is(err, pii.ErrErased) {
			t.Errorf("PD-ERASE: the block of key %d opens after the erasure: %v", b.KeySeq, err)
		}
	}
}

// TestPooledKeyRacingAnErasure: PD-ERASE when a pooled key is taken for a
// subject whose erasure another instance stored first: the binding finds
// the notice, the key and the binding are destroyed, and sealing is
// refused.
func TestPooledKeyRacingAnErasure(t *testing.T) {
	emb, va, _ := sealedFixture(t, 11, 0)
	ctx := context.Background()
	l := &ledger{}
	k, _ := pooled(t, emb, bytes.Repeat([]byte{11}, pii.KeySize), &countingSyncer{}, l.acked, l.scan)
	late := pii.Subject{Org: "E8", Participant: "late"}
	if err := va.Destroy(ctx, late); err != nil {
		t.Fatal(err)
	}
	seq, _, ok, err := k.Take(ctx, pii.KeyID(late))
	if !errors.Is(err, pii.ErrErased) || ok {
		t.Fatalf("PD-ERASE: a pooled key was bound after the erasure: %d %v %v", seq, ok, err)
	}
	if n := len(bindingsOf(t, emb, late)); n != 0 {
		t.Fatalf("PD-ERASE: %d refused bindings are still in the stream", n)
	}
}

// TestABindingLostInACrashIsTakenAgain: PD-ERASE across a power cut
// between a binding's publish and its fsync. The binding is not synced
// before the event is acknowledged; the mark names the events whose
// bindings are on disk. A binding lost (here: deleted, as a power cut
// would lose it) of an event above the mark is taken again from the
// event's sealed block when the next instance starts its pool, so the
// erasure still finds and destroys the key.
func TestABindingLostInACrashIsTakenAgain(t *testing.T) {
	emb, va, _ := sealedFixture(t, 12, 0)
	ctx := context.Background()
	master := bytes.Repeat([]byte{12}, pii.KeySize)
	l := &ledger{}
	_, v := pooled(t, emb, master, &countingSyncer{}, l.acked, l.scan)
	s := pii.Subject{Org: "E9", Participant: "P9"}
	b, err := v.Seal(ctx, s, []byte(`{"last_name":"Heikkinen"}`))
	if err != nil {
		t.Fatal(err)
	}
	l.blocks = append(l.blocks, b) // the event is acknowledged, above the mark
	st, err := mustJS(t, emb).Stream(ctx, piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteMsg(ctx, bindingOf(t, emb, s, b.KeySeq)); err != nil { // the power cut
		t.Fatal(err)
	}
	// The crashed instance is never closed (its close would move the
	// mark); the next one starts its pool on the same stream.
	pooled(t, emb, master, &countingSyncer{}, l.acked, l.scan)
	if bindingOf(t, emb, s, b.KeySeq) == 0 {
		t.Fatal("PD-ERASE: the lost binding was not taken again from the event")
	}
	if err := va.Destroy(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := streamMsg(t, emb, b.KeySeq); !errors.Is(err, natsjs.ErrMsgNotFound) {
		t.Fatalf("PD-ERASE: the pooled key survives the erasure: %v", err)
	}
}

package jetstream_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/events/pii/piitest"
)

// TestKeySubjectsStayBounded: the server's memory does not grow per data
// subject by structure (issue 16): after more new participants than the
// key stream has shards, its subjects are at most the shards, and the
// bucket of the older keys gains none.
func TestKeySubjectsStayBounded(t *testing.T) {
	emb, va, _ := sealedFixture(t, 3, 1)
	ctx := context.Background()
	const n = 5000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				if _, err := va.Seal(ctx, pii.Subject{Org: "E9", Participant: fmt.Sprint("P", i)}, []byte(`{}`)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	js := mustJS(t, emb)
	st, err := js.Stream(ctx, piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 4 096 key shards and the shard of the fixture's erasure.
	if got := info.State.NumSubjects; got > 4096+1 || info.State.Msgs < n {
		t.Fatalf("%d keys of %d participants lie on %d subjects; want at most 4 097", info.State.Msgs, n, got)
	}
	bucket, err := js.Stream(ctx, piijs.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if bi, err := bucket.Info(ctx); err != nil || bi.State.NumSubjects != 0 {
		t.Fatalf("the bucket of older keys holds %v subjects (%v), want 0", bi.State.NumSubjects, err)
	}
}

// TestErasureDestroysEveryKey: PD-ERASE with keys addressed by sequence.
// A participant sealed by two instances has two keys; the erasure by one
// destroys both (their messages are gone from the stream: no instance,
// however fresh, opens either block), and the read path of the other
// instance drops what it held once the erasure's notice reaches it.
func TestErasureDestroysEveryKey(t *testing.T) {
	emb, va, _ := sealedFixture(t, 4, 1)
	ctx := context.Background()
	master := bytes.Repeat([]byte{4}, pii.KeySize)
	kb := open(t, emb)
	vb, _ := pii.NewVault(master, kb)
	s := pii.Subject{Org: "E2", Participant: "P2"}
	b1, err := va.Seal(ctx, s, []byte(`{"last_name":"Nieminen"}`))
	if err != nil {
		t.Fatal(err)
	}
	b2, err := vb.Seal(ctx, s, []byte(`{"last_name":"Nieminen"}`))
	if err != nil {
		t.Fatal(err)
	}
	if b1.KeySeq == b2.KeySeq || b1.KeySeq == 0 {
		t.Fatalf("two instances sealed with keys %d and %d, want two keys", b1.KeySeq, b2.KeySeq)
	}
	for _, b := range []pii.Sealed{b1, b2} {
		if _, err := vb.Open(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := va.Destroy(ctx, s); err != nil {
		t.Fatal(err)
	}
	st, err := mustJS(t, emb).Stream(ctx, piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	fresh, _ := pii.NewVault(master, open(t, emb))
	for _, b := range []pii.Sealed{b1, b2} {
		if _, err := st.GetMsg(ctx, b.KeySeq); !errors.Is(err, natsjs.ErrMsgNotFound) {
			t.Errorf("PD-ERASE: key %d is still in the stream: %v", b.KeySeq, err)
		}
		if _, err := fresh.Open(ctx, b); !errors.Is(err, pii.ErrErased) {
			t.Errorf("PD-ERASE: a fresh instance opens the block of key %d: %v", b.KeySeq, err)
		}
		if _, err := va.Open(ctx, b); !errors.Is(err, pii.ErrErased) {
			t.Errorf("PD-ERASE: the erasing instance opens the block of key %d: %v", b.KeySeq, err)
		}
	}
	waitErased(t, vb, b2)
	if _, err := fresh.Seal(ctx, s, []byte(`{}`)); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: sealed again for an erased subject: %v", err)
	}
}

// waitErased polls until v finds b erased (the erasure's notice reaches
// another instance within moments).
func waitErased(t *testing.T, v pii.Vault, b pii.Sealed) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := v.Open(context.Background(), b)
		if errors.Is(err, pii.ErrErased) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PD-ERASE: another instance still opens the block: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestKeyRacingAnErasure: PD-ERASE when a report's key and an erasure
// race on two instances. A key stored before the erasure is destroyed by
// it; a key stored after it is refused and destroyed by Add, even on an
// instance that has not yet heard of the erasure.
func TestKeyRacingAnErasure(t *testing.T) {
	emb, va, _ := sealedFixture(t, 5, 1)
	ctx := context.Background()
	kb := open(t, emb)
	st, err := mustJS(t, emb).Stream(ctx, piijs.KeysStream)
	if err != nil {
		t.Fatal(err)
	}
	wrapped := []byte("a wrapped key, as the vault makes")

	// The key first: the erasure that follows destroys it.
	early := pii.KeyID(pii.Subject{Org: "E3", Participant: "early"})
	seq, err := kb.Add(ctx, early, wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if err := va.Destroy(ctx, pii.Subject{Org: "E3", Participant: "early"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetMsg(ctx, seq); !errors.Is(err, natsjs.ErrMsgNotFound) {
		t.Fatalf("PD-ERASE: a key stored before the erasure survives it: %v", err)
	}

	// The erasure first: a key stored after it, by an instance that
	// goes straight to Add, is refused and gone.
	late := pii.Subject{Org: "E3", Participant: "late"}
	if err := va.Destroy(ctx, late); err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kb.Add(ctx, pii.KeyID(late), wrapped); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: a key stored after the erasure was accepted: %v", err)
	}
	if _, err := st.GetMsg(ctx, info.State.LastSeq+1); !errors.Is(err, natsjs.ErrMsgNotFound) {
		t.Fatalf("PD-ERASE: the refused key is still in the stream: %v", err)
	}
}

// TestBlocksSealedBeforeIssue16: a block sealed with the subject's one
// key in the bucket GRANTS_PII_KEYS (no key sequence) still opens, and
// its erasure destroys that key (a tombstone stays, no key bytes): the
// block no longer opens, on this instance nor on a fresh one, and the
// subject is not sealed again.
func TestBlocksSealedBeforeIssue16(t *testing.T) {
	emb, _, _ := sealedFixture(t, 6, 1)
	ctx := context.Background()
	master := bytes.Repeat([]byte{6}, pii.KeySize)
	s := pii.Subject{Org: "E4", Participant: "P4"}
	id := pii.KeyID(s)
	blk, wrapped, err := piitest.LegacyBlock(master, s, []byte(`{"last_name":"Laine"}`))
	if err != nil {
		t.Fatal(err)
	}
	kv, err := mustJS(t, emb).KeyValue(ctx, piijs.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Create(ctx, id, wrapped); err != nil {
		t.Fatal(err)
	}
	v, _ := pii.NewVault(master, open(t, emb))
	if got, err := v.Open(ctx, blk); err != nil || !bytes.Contains(got, []byte("Laine")) {
		t.Fatalf("PD-SEALED: a block sealed before issue 16 does not open: %q %v", got, err)
	}
	if err := v.Destroy(ctx, s); err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get(ctx, id); err != nil || bytes.Contains(e.Value(), wrapped) {
		t.Fatalf("PD-ERASE: the older key is %v, %v; want a tombstone", e, err)
	}
	fresh, _ := pii.NewVault(master, open(t, emb))
	for _, vv := range []*pii.KeyVault{v, fresh} {
		if _, err := vv.Open(ctx, blk); !errors.Is(err, pii.ErrErased) {
			t.Errorf("PD-ERASE: the older block opens after the erasure: %v", err)
		}
		if _, err := vv.Seal(ctx, s, []byte(`{}`)); !errors.Is(err, pii.ErrErased) {
			t.Errorf("PD-ERASE: sealed again after the erasure: %v", err)
		}
	}
}

// TestErasuresSharingAShard: PD-ERASE when several erased subjects share a
// shard of the key stream. An instance that has heard of none of them
// (opened before them, its notices not yet read, or after them) refuses a
// key for each, also for the one whose notice is no longer the shard's
// last.
func TestErasuresSharingAShard(t *testing.T) {
	emb, va, _ := sealedFixture(t, 8, 1)
	ctx := context.Background()
	same := sameShard(4)
	alive := same[3]
	for _, s := range same[:2] {
		if err := va.Destroy(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	kc := open(t, emb)
	wrapped := []byte("a wrapped key")
	// The living subject's key reads the shard's notices: the last one
	// and those before it.
	if _, err := kc.Add(ctx, pii.KeyID(alive), wrapped); err != nil {
		t.Fatalf("a subject never erased, beside erased ones: %v", err)
	}
	if err := va.Destroy(ctx, same[2]); err != nil {
		t.Fatal(err)
	}
	for i, s := range same[:3] {
		if _, err := kc.Add(ctx, pii.KeyID(s), wrapped); !errors.Is(err, pii.ErrErased) {
			t.Fatalf("PD-ERASE: a key of erased subject %d was accepted: %v", i, err)
		}
	}
	fresh := open(t, emb)
	for i, s := range same[:3] {
		if _, err := fresh.Add(ctx, pii.KeyID(s), wrapped); !errors.Is(err, pii.ErrErased) {
			t.Fatalf("PD-ERASE: an instance opened after the erasures accepted a key of erased subject %d: %v", i, err)
		}
	}
}

// sameShard returns n subjects whose key IDs share a shard of the key
// stream.
func sameShard(n int) []pii.Subject {
	byShard := map[string][]pii.Subject{}
	for i := 0; ; i++ {
		s := pii.Subject{Org: "E5", Participant: fmt.Sprint("S", i)}
		sh := piijs.KeySubject(pii.KeyID(s))
		byShard[sh] = append(byShard[sh], s)
		if len(byShard[sh]) == n {
			return byShard[sh]
		}
	}
}

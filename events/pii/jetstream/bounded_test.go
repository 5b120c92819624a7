package jetstream_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
)

// TestKeysOpenBounded: an instance opened bounded (grants serve) loads no
// key at its start, yet finds each one when used: a block sealed before
// its start opens, a subject erased before its start is erased (PD-ERASE:
// its block does not open and it is never sealed again under a new key),
// sealing for a known subject reuses its key (PD-SEALED), and keys made or
// destroyed by another instance afterwards are followed.
func TestKeysOpenBounded(t *testing.T) {
	emb, va, blocks := sealedFixture(t, 9, 4)
	ctx := context.Background()
	master := bytes.Repeat([]byte{9}, pii.KeySize)

	kb, err := piijs.OpenBounded(ctx, mustJS(t, emb), 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kb.Close)
	for i := 0; i < 4; i++ {
		if _, _, ok, _ := kb.Current(pii.KeyID(subject(i))); ok {
			t.Errorf("key %d was loaded at a bounded open", i)
		}
	}
	vb, _ := pii.NewVault(master, kb)
	for i, b := range blocks {
		got, err := vb.Open(ctx, b)
		switch {
		case i == 1 && !errors.Is(err, pii.ErrErased):
			t.Errorf("PD-ERASE: a subject erased before the start opens: %q, %v", got, err)
		case i != 1 && (err != nil || !bytes.Contains(got, []byte("Virtanen"))):
			t.Errorf("PD-SEALED: block %d does not open: %q %v", i, got, err)
		}
	}
	// A fresh bounded instance that has read nothing yet must not make a
	// new key for a subject erased before its start.
	kc, err := piijs.OpenBounded(ctx, mustJS(t, emb), 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	vc, _ := pii.NewVault(master, kc)
	if _, err := vc.Seal(ctx, subject(1), []byte(`{}`)); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: sealed for a subject erased before the start: %v", err)
	}
	blk, err := vc.Seal(ctx, subject(3), []byte(`{"last_name":"Korhonen"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := va.Open(ctx, blk); err != nil || !bytes.Contains(got, []byte("Korhonen")) {
		t.Fatalf("PD-SEALED: a block sealed by another instance does not open: %q %v", got, err)
	}
	// An erasure by another instance after the start is followed.
	if err := va.Destroy(ctx, subject(2)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, _, _, err := kb.Current(pii.KeyID(subject(2)))
		if errors.Is(err, pii.ErrErased) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("an erasure after a bounded open is not followed: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := vb.Open(ctx, blocks[2]); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: a block opens after its subject was erased elsewhere: %v", err)
	}
}

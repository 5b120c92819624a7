package jetstream_test

import (
	"bytes"
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	ejs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
)

type countingSyncer struct{ n atomic.Int32 }

func (c *countingSyncer) Sync() error { c.n.Add(1); return nil }

func open(t *testing.T, emb *ejs.Embedded) *piijs.Keys {
	t.Helper()
	nc, err := ejs.ConnectInProcess(emb.Server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	k, err := piijs.Open(context.Background(), js, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	return k
}

// TestKeysAcrossInstances: two instances share one bucket; a key made by
// one opens on the other, each key is made durable (PD-SEALED), and an
// erasure by one (PD-ERASE) is seen by the other through its watcher.
func TestKeysAcrossInstances(t *testing.T) {
	emb, err := ejs.OpenEmbedded(context.Background(), ejs.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1}, aggregates.Registry(), ejs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	ctx := context.Background()
	master := bytes.Repeat([]byte{5}, pii.KeySize)
	ka, kb := open(t, emb), open(t, emb)
	sync := &countingSyncer{}
	ka.SetSyncer(sync, sync)
	va, _ := pii.NewVault(master, ka)
	vb, _ := pii.NewVault(master, kb)
	s := pii.Subject{Org: "E1", Participant: "P1"}
	blk, err := va.Seal(ctx, s, []byte(`{"last_name":"Virtanen"}`))
	if err != nil {
		t.Fatal(err)
	}
	if sync.n.Load() != 1 {
		t.Fatalf("PD-SEALED: the new key was synced %d times, want 1", sync.n.Load())
	}
	if _, err := va.Seal(ctx, s, []byte(`{}`)); err != nil || sync.n.Load() != 1 {
		t.Fatalf("a known key was created again: %v, %d syncs", err, sync.n.Load())
	}
	if got, err := vb.Open(ctx, blk); err != nil || !bytes.Contains(got, []byte("Virtanen")) {
		t.Fatalf("the other instance does not open it: %q %v", got, err)
	}
	if err := va.Destroy(ctx, s); err != nil {
		t.Fatal(err)
	}
	if sync.n.Load() != 2 {
		t.Fatalf("PD-ERASE: the erasure was synced %d times in all, want 2", sync.n.Load())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := vb.Open(ctx, blk)
		if errors.Is(err, pii.ErrErased) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("PD-ERASE: the other instance still opens the block: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := vb.Destroy(ctx, s); err != nil {
		t.Fatalf("PD-ERASE: destroying twice: %v", err)
	}
	if _, err := vb.Seal(ctx, s, []byte(`{}`)); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: sealed for an erased subject: %v", err)
	}
}

// TestKeysOpenedAfterTheirWriter: an instance opened on a stream that
// already holds keys opens every block (PD-SEALED) and finds the erased
// subject erased (PD-ERASE), with no key loaded at its open.
func TestKeysOpenedAfterTheirWriter(t *testing.T) {
	emb, _, blocks := sealedFixture(t, 7, 5)
	ctx := context.Background()
	master := bytes.Repeat([]byte{7}, pii.KeySize)
	kb := open(t, emb)
	vb, _ := pii.NewVault(master, kb)
	for i, b := range blocks {
		got, err := vb.Open(ctx, b)
		switch {
		case i == 1 && !errors.Is(err, pii.ErrErased):
			t.Errorf("PD-ERASE: the erased subject's block opens: %q, %v", got, err)
		case i != 1 && (err != nil || !bytes.Contains(got, []byte("Virtanen"))):
			t.Errorf("PD-SEALED: block %d does not open: %q %v", i, got, err)
		}
	}
	if _, err := vb.Seal(ctx, subject(1), []byte(`{}`)); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE: sealed for a subject erased before the open: %v", err)
	}
}

// subject is the i-th data subject of the key tests.
func subject(i int) pii.Subject {
	return pii.Subject{Org: "E1", Participant: "P" + string(rune('A'+i))}
}

// sealedFixture starts an embedded server, opens a key instance with its
// vault (master key of bytes m), seals n subjects' blocks (naming
// Virtanen) and erases subject 1 (PD-ERASE).
func sealedFixture(t *testing.T, m byte, n int) (*ejs.Embedded, *pii.KeyVault, []pii.Sealed) {
	t.Helper()
	emb, err := ejs.OpenEmbedded(context.Background(), ejs.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1}, aggregates.Registry(), ejs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	ctx := context.Background()
	ka := open(t, emb)
	va, err := pii.NewVault(bytes.Repeat([]byte{m}, pii.KeySize), ka)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []pii.Sealed
	for i := 0; i < n; i++ {
		b, err := va.Seal(ctx, subject(i), []byte(`{"last_name":"Virtanen"}`))
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, b)
	}
	if err := va.Destroy(ctx, subject(1)); err != nil {
		t.Fatal(err)
	}
	return emb, va, blocks
}

func mustJS(t testing.TB, emb *ejs.Embedded) natsjs.JetStream {
	t.Helper()
	nc, err := ejs.ConnectInProcess(emb.Server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

package pii_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/events/pii"
)

func newVault(t *testing.T, master []byte, keys pii.KeyStore) *pii.KeyVault {
	t.Helper()
	v, err := pii.NewVault(master, keys)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVaultSealsOpensAndShreds covers PD-SEALED and PD-ERASE on the vault:
// a block opens with its subject's key only, the ciphertext holds no
// plaintext, a tampered block or a block moved to another subject does not
// open, another master key opens nothing, and after Destroy nothing of the
// subject opens and no new block is sealed for it.
func TestVaultSealsOpensAndShreds(t *testing.T) {
	ctx := context.Background()
	master := bytes.Repeat([]byte{7}, pii.KeySize)
	keys := pii.NewMemoryKeys()
	v := newVault(t, master, keys)
	aino := pii.Subject{Org: "E1", Participant: "P1"}
	kalle := pii.Subject{Org: "E1", Participant: "P2"}
	plain := []byte(`{"first_name":"Aino","last_name":"Virtanen"}`)

	b, err := v.Seal(ctx, aino, plain)
	if err != nil {
		t.Fatal(err)
	}
	if b.Alg != pii.AlgAES256GCM || b.Subject != "E1/P1" || bytes.Contains(b.Ciphertext, []byte("Virtanen")) {
		t.Fatalf("PD-SEALED/sealed-form: %+v", b)
	}
	if got, err := v.Open(ctx, b); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("PD-SEALED/opens: %q %v", got, err)
	}
	if _, err := v.Seal(ctx, kalle, []byte(`{}`)); err != nil || keys.Len() != 2 {
		t.Fatalf("PD-SEALED/one-key-per-subject: %d keys, %v", keys.Len(), err)
	}
	if again, err := v.Seal(ctx, aino, plain); err != nil || again.KeySeq != b.KeySeq || b.KeySeq == 0 {
		t.Fatalf("PD-SEALED/key-reused: key %d, then %d (%v)", b.KeySeq, again.KeySeq, err)
	}
	renamed := b
	renamed.KeySeq = 2 // kalle's key
	if _, err := v.Open(ctx, renamed); err == nil {
		t.Fatal("PD-SEALED/key-seq: a block naming another subject's key opened")
	}
	tampered := b
	tampered.Ciphertext = bytes.Clone(b.Ciphertext)
	tampered.Ciphertext[0] ^= 1
	if _, err := v.Open(ctx, tampered); err == nil {
		t.Fatal("PD-SEALED/tampered: a changed ciphertext opened")
	}
	moved := b
	moved.Subject, moved.KeyID = kalle.String(), pii.KeyID(kalle)
	if _, err := v.Open(ctx, moved); err == nil {
		t.Fatal("PD-SEALED/moved: a block moved to another subject opened")
	}
	other := newVault(t, bytes.Repeat([]byte{8}, pii.KeySize), keys)
	if _, err := other.Open(ctx, b); err == nil || errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-SEALED/master: another master key: %v", err)
	}

	v1 := pii.Sealed{Alg: pii.AlgPlainV1, Subject: aino.String(), Plain: plain}
	if got, err := v.Open(ctx, v1); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("PD-SEALED/v1: %q %v", got, err)
	}
	if err := v.Destroy(ctx, aino); err != nil {
		t.Fatal(err)
	}
	if err := v.Destroy(ctx, aino); err != nil {
		t.Fatalf("PD-ERASE/idempotent: %v", err)
	}
	for name, blk := range map[string]pii.Sealed{"sealed": b, "v1": v1} {
		if _, err := v.Open(ctx, blk); !errors.Is(err, pii.ErrErased) {
			t.Fatalf("PD-ERASE/%s: opens after the erasure: %v", name, err)
		}
	}
	if _, err := v.Seal(ctx, aino, plain); !errors.Is(err, pii.ErrErased) {
		t.Fatalf("PD-ERASE/no-new-key: %v", err)
	}
	if got, err := v.Open(ctx, pii.Sealed{Alg: pii.AlgPlainV1, Subject: kalle.String(), Plain: plain}); err != nil || got == nil {
		t.Fatalf("PD-ERASE/others-untouched: %v", err)
	}
}

// TestMasterKeyFile covers the master key file: created 0600 once, read
// back, refused when others may read it.
func TestMasterKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pii", "master.key")
	k1, err := pii.LoadOrCreateMaster(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || len(k1) != pii.KeySize {
		t.Fatalf("master key file: %v %v", fi.Mode(), err)
	}
	k2, err := pii.LoadOrCreateMaster(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("master key read back: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pii.LoadOrCreateMaster(path); err == nil {
		t.Fatal("a master key others may read was accepted")
	}
}

package keys_test

import (
	"os"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/keys"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestRotationKeepsOldSignaturesValid(t *testing.T) {
	dir := t.TempDir() + "/signing"
	s, created, err := keys.Open(dir, t0)
	if err != nil || !created {
		t.Fatalf("Open: %v %v", created, err)
	}
	if fi, err := os.Stat(keys.Path(dir)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi, err)
	}
	old, err := s.Signer()
	if err != nil {
		t.Fatal(err)
	}
	e := events.Envelope{Hash: "abc"}
	e.Sign(old)
	if _, err := keys.Rotate(dir, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s2, created, err := keys.Open(dir, t0)
	if err != nil || created {
		t.Fatalf("reopen: %v %v", created, err)
	}
	signer, err := s2.Signer()
	if err != nil || signer.KeyID() == old.KeyID() || len(s2.Keys) != 2 || s2.Keys[0].Seed != nil {
		t.Fatalf("after rotation: active %v, %d keys, old seed kept %v, %v", signer, len(s2.Keys), s2.Keys[0].Seed != nil, err)
	}
	if err := s2.Ring(dir).Verify(&e); err != nil {
		t.Fatalf("an event signed before the rotation: %v", err)
	}
	// A ring loaded before the rotation learns the new key from the file.
	n := events.Envelope{Hash: "def"}
	n.Sign(signer)
	if err := s.Ring(dir).Verify(&n); err != nil {
		t.Fatalf("a ring from before the rotation: %v", err)
	}
	b, err := s2.ExportJSON()
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.RingFromJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if ring.Verify(&e) != nil || ring.Verify(&n) != nil {
		t.Fatal("the exported keys do not verify")
	}
	if p, err := s2.ExportPEM(); err != nil || len(p) == 0 {
		t.Fatalf("PEM export: %v", err)
	}
}

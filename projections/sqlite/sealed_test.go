package sqlite

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/pii/piitest"
	"github.com/erasmus-ledger/grants/internal/history"
)

// PD-SEALED, PD-ERASE: grants serve's read models keep the participants'
// sealed blocks sealed, in the stream (the row names the event by its
// sequence), and open them only when a participant is shown, so that the
// file holds no personal data in plain text nor any copy of the blocks,
// and a destroyed key leaves the row unreadable (crypto-shredding), with
// no erasure event met; a file built for a disclosure holds the opened
// data.
func TestParticipantsKeptSealedAndShreddedByTheKey(t *testing.T) {
	ctx := testCtx(t)
	store, vault, _, _ := sealedHistory(t, 600)
	dir := t.TempDir()
	kept, disclosed := filepath.Join(dir, "kept.db"), filepath.Join(dir, "disclosed.db")
	if _, err := RebuildOpening(ctx, store, kept, Until{}, nil, nil, vault); err != nil {
		t.Fatal(err)
	}
	if _, err := RebuildVerifiedOpening(ctx, store, disclosed, Until{}, nil, nil, false, vault); err != nil {
		t.Fatal(err)
	}

	// The disclosed file's participants, opened at the rebuild.
	type person struct{ org, id, first, last, email string }
	var people []person
	func() {
		db, err := sql.Open("sqlite3", "file:"+disclosed+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query("SELECT org, id, first_name, last_name, email FROM participants WHERE length(sealed) = 0 ORDER BY rowid")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var p person
			if err := rows.Scan(&p.org, &p.id, &p.first, &p.last, &p.email); err != nil {
				t.Fatal(err)
			}
			people = append(people, p)
		}
	}()
	if len(people) < 20 {
		t.Fatalf("the disclosed file holds %d participants: the test proves nothing", len(people))
	}

	// The kept file holds none of their data in plain text.
	b, err := os.ReadFile(kept)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		for _, v := range []string{p.last, p.email} {
			if len(v) >= 4 && bytes.Contains(b, []byte(v)) {
				t.Fatalf("PD-SEALED: the read-model file holds %q in plain text", v)
			}
		}
	}

	// The blocks stay in the stream: the file holds no copy of them.
	func() {
		db, err := sql.Open("sqlite3", "file:"+kept+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var rows, copied int
		if err := db.QueryRow("SELECT COUNT(*), TOTAL(length(sealed) > 0) FROM participants").Scan(&rows, &copied); err != nil {
			t.Fatal(err)
		}
		if rows != len(people) || copied != 0 {
			t.Fatalf("the kept file holds %d participants, %d of them with a copy of the block; want %d, none", rows, copied, len(people))
		}
	}()

	// Shown, the kept blocks open as the disclosed file holds them.
	db, err := Open(context.Background(), kept, Options{Vault: vault, Source: store})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, p := range people {
		v, err := db.Participant(ctx, p.org, p.id)
		if err != nil || v.Erased || v.FirstName != p.first || v.LastName != p.last || v.Email != p.email {
			t.Fatalf("participant %s of %s: %+v, %v; the disclosed file has %+v", p.id, p.org, v, err, p)
		}
	}
	// Without the keys, or without the stream, a kept block is not shown.
	if v, err := db.participant(ctx, nil, store, people[0].org, people[0].id); err == nil {
		t.Fatalf("a sealed participant was shown without the keys: %+v", v)
	}
	if v, err := db.participant(ctx, vault, nil, people[0].org, people[0].id); err == nil {
		t.Fatalf("a participant sealed in the stream was shown without it: %+v", v)
	}

	// PD-ERASE: the key destroyed, the row is unreadable at once, with no
	// erasure event applied; the others still open.
	gone := people[0]
	if err := vault.Destroy(ctx, pii.Subject{Org: gone.org, Participant: gone.id}); err != nil {
		t.Fatal(err)
	}
	v, err := db.Participant(ctx, gone.org, gone.id)
	if err != nil || !v.Erased || v.FirstName != "" || v.LastName != "" || v.Email != "" {
		t.Fatalf("PD-ERASE: the participant whose key is destroyed: %+v, %v", v, err)
	}
	if v, err := db.Participant(ctx, people[1].org, people[1].id); err != nil || v.Erased || v.LastName != people[1].last {
		t.Fatalf("another participant after the erasure: %+v, %v", v, err)
	}
}

// PD-SEALED: a file written before session 14 keeps each block in the
// participant's row (participants.sealed), sealed under the participant's
// one key of before issue 16 (the bucket GRANTS_PII_KEYS); it still opens,
// from the row, with no stream to read, and reads as erased once that key
// is destroyed (PD-ERASE).
func TestParticipantsSealedInTheRowStillOpen(t *testing.T) {
	ctx := testCtx(t)
	store, vault, master, keys := sealedHistory(t, 200)
	path := filepath.Join(t.TempDir(), "kept.db")
	if _, err := RebuildOpening(ctx, store, path, Until{}, nil, nil, vault); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path, Options{Vault: vault, Source: store})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var org, id string
	if err := db.r.QueryRowContext(ctx, "SELECT org, id FROM participants ORDER BY rowid LIMIT 1").Scan(&org, &id); err != nil {
		t.Fatal(err)
	}
	// The row as the previous version wrote it: the nonce and ciphertext
	// of a block sealed under the participant's one key in the bucket.
	s := pii.Subject{Org: org, Participant: id}
	block, wrapped, err := piitest.LegacyBlock(master, s, []byte(`{"first_name":"Aino","last_name":"Laine"}`))
	if err != nil {
		t.Fatal(err)
	}
	keys.AddLegacy(pii.KeyID(s), wrapped)
	w, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Exec("UPDATE participants SET sealed = ? WHERE org = ? AND id = ?", append(block.Nonce, block.Ciphertext...), org, id); err != nil {
		t.Fatal(err)
	}
	got, err := db.participant(ctx, vault, nil, org, id)
	if err != nil || got.Erased || got.FirstName != "Aino" || got.LastName != "Laine" {
		t.Fatalf("participant %s of %s from its row: %+v, %v", id, org, got, err)
	}
	if err := vault.Destroy(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got, err := db.participant(ctx, vault, nil, org, id); err != nil || !got.Erased || got.LastName != "" {
		t.Fatalf("PD-ERASE: participant %s of %s from its row after the erasure: %+v, %v", id, org, got, err)
	}
}

// sealedHistory generates a history of n events whose personal data is
// sealed as grants serve seals it, with keys in memory; it returns the
// master key and the key store too.
func sealedHistory(t *testing.T, n int) (*jetstream.Store, pii.Vault, []byte, *pii.MemoryKeys) {
	t.Helper()
	store := openStore(t, testRegistry)
	master := make([]byte, pii.KeySize)
	if _, err := rand.Read(master); err != nil {
		t.Fatal(err)
	}
	keys := pii.NewMemoryKeys()
	vault, err := pii.NewVault(master, keys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := history.Generate(testCtx(t), store, history.Config{Events: n, Seed: 7, Workers: 1, AppendSize: 50, MobilitiesPerProject: 20,
		Seal: personal.Sealer{Vault: vault}.SealDrafts}); err != nil {
		t.Fatal(err)
	}
	return store, vault, master, keys
}

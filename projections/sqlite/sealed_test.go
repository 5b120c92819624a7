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
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/history"
)

// PD-SEALED, PD-ERASE: grants serve's read models keep the participants'
// sealed blocks sealed and open them only when a participant is shown,
// so that the file holds no personal data in plain text and a destroyed
// key leaves the row unreadable (crypto-shredding), with no erasure event
// met; a file built for a disclosure holds the opened data.
func TestParticipantsKeptSealedAndShreddedByTheKey(t *testing.T) {
	ctx := testCtx(t)
	store := openStore(t, testRegistry)
	master := make([]byte, pii.KeySize)
	if _, err := rand.Read(master); err != nil {
		t.Fatal(err)
	}
	vault, err := pii.NewVault(master, pii.NewMemoryKeys())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := history.Generate(ctx, store, history.Config{Events: 600, Seed: 7, Workers: 1, AppendSize: 50, MobilitiesPerProject: 20,
		Seal: personal.Sealer{Vault: vault}.SealDrafts}); err != nil {
		t.Fatal(err)
	}
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

	// Shown, the kept blocks open as the disclosed file holds them.
	db, err := Open(context.Background(), kept, Options{Vault: vault})
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
	// Without the keys, a kept block is not shown.
	if v, err := db.participant(ctx, nil, people[0].org, people[0].id); err == nil {
		t.Fatalf("a sealed participant was shown without the keys: %+v", v)
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

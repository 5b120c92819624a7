package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/privacy"
)

// personStore is an event store whose every third append is made by a
// person (an e-mail address as the user ID) giving a free-text reason that
// names someone: what PD-EXPORT-PSEUDONYMOUS keeps out of an analyst's
// file.
type personStore struct {
	events.Store
	n atomic.Int64
}

const (
	testPersonUser   = "maija.meikalainen@koulu.example"
	testPersonReason = "corrected at the request of Maija Meikäläinen"
)

// Append implements events.Store.
func (s *personStore) Append(ctx context.Context, req events.AppendRequest) ([]events.Envelope, error) {
	if s.n.Add(1)%3 == 0 {
		req.Meta.Actor.UserID = testPersonUser
		req.Meta.Reason = testPersonReason
	}
	return s.Store.Append(ctx, req)
}

// pseudonymiseBuilt is the reference for a pseudonymous file: a file built
// with every identity (RebuildVerified), then its participants deleted,
// each acting user replaced by its pseudonym from ps and the commands'
// reasons emptied, row by row in SQL (what grants replay --out did after
// the build until session 18).
func pseudonymiseBuilt(t *testing.T, path string, ps *privacy.Pseudonymiser) {
	t.Helper()
	users := queryFile(t, path, "SELECT DISTINCT actor_user FROM audit_log")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("DELETE FROM participants"); err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if _, err := db.Exec("UPDATE audit_log SET actor_user = ? WHERE actor_user = ?", ps.User(u), u); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{"UPDATE audit_log SET reason = ''", "UPDATE payments SET reason = ''"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// checksumFile returns the Sum of the read-model file at path.
func checksumFile(t *testing.T, path string) Sum {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := Checksum(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAnalystFileIsBuiltPseudonymous proves PD-EXPORT-PSEUDONYMOUS for
// the file RebuildPseudonymous builds: it is the file built with every
// identity and then pseudonymised row by row, table for table, and none
// of its bytes holds the acting person, the reason naming someone or a
// participant's name.
func TestAnalystFileIsBuiltPseudonymous(t *testing.T) {
	ctx := testCtx(t)
	store := openStore(t, testRegistry)
	generate(t, &personStore{Store: store}, 1500)
	dir := t.TempDir()
	key := []byte("a key for the test's pseudonyms.")

	full := filepath.Join(dir, "full.db")
	if _, err := RebuildVerified(ctx, store, full, Until{}, nil, nil, false); err != nil {
		t.Fatal(err)
	}
	// The history must hold what the file is to leave out, or the test
	// proves nothing.
	for q, what := range map[string]string{
		"SELECT count(*) FROM participants WHERE first_name <> ''":                          "participants with names",
		"SELECT count(*) FROM audit_log WHERE actor_user = '" + testPersonUser + "'":        "entries by the person",
		"SELECT count(*) FROM audit_log WHERE reason = '" + testPersonReason + "'":          "reasons naming someone",
		"SELECT count(*) FROM payments WHERE reason = '" + testPersonReason + "'":           "payments with the reason",
		"SELECT count(*) FROM audit_log WHERE actor_user NOT IN ('" + testPersonUser + "')": "entries by the generator",
	} {
		if n := countIn(t, full, q); n == 0 {
			t.Fatalf("the history holds no %s: the test proves nothing", what)
		}
	}
	var names []string
	rows := queryFile(t, full, "SELECT first_name || ' ' || last_name FROM participants WHERE first_name <> '' LIMIT 50")
	names = append(names, rows...)
	pseudonymiseBuilt(t, full, privacy.NewPseudonymiserWithKey(key))

	pseudo := filepath.Join(dir, "pseudonymous.db")
	if _, err := RebuildPseudonymous(ctx, store, pseudo, Until{}, nil, nil, false, privacy.NewPseudonymiserWithKey(key)); err != nil {
		t.Fatal(err)
	}
	sameSums(t, checksumFile(t, full), checksumFile(t, pseudo))

	if n := countIn(t, pseudo, "SELECT count(*) FROM audit_log WHERE actor_user LIKE '"+privacy.PseudonymPrefix+"%'"); n == 0 {
		t.Fatal("PD-EXPORT-PSEUDONYMOUS: no audit entry names a pseudonym")
	}
	raw := readFileString(t, pseudo)
	for _, v := range append([]string{testPersonUser, testPersonReason}, names...) {
		if strings.Contains(raw, v) {
			t.Fatalf("PD-EXPORT-PSEUDONYMOUS: the analyst's file holds %q", v)
		}
	}
}

// TestPseudonymousRebuildNeedsAPseudonymiser: without one nothing is built.
func TestPseudonymousRebuildNeedsAPseudonymiser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	if _, err := RebuildPseudonymous(testCtx(t), nil, path, Until{}, nil, nil, false, nil); err == nil {
		t.Fatal("a pseudonymous rebuild without a pseudonymiser succeeded")
	}
}

// queryFile returns the first column of the rows of q on the file at path.
func queryFile(t *testing.T, path, q string) []string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// countIn returns the count q (a SELECT count(*)) gives on the file at path.
func countIn(t *testing.T, path, q string) int {
	t.Helper()
	r := queryFile(t, path, q)
	if len(r) != 1 {
		t.Fatalf("%s: %d rows", q, len(r))
	}
	n, err := strconv.Atoi(r[0])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// readFileString returns the bytes of the file at path.
func readFileString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

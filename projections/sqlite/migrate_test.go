package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/projections"
)

// TestMigration0003KeepsTheMobilitiesOfAnOlderFile opens a file written by
// a build of schema version 2 (mobilities keyed by a table constraint)
// and checks that the upgrade keeps every row, that the key is still
// unique, and that the organisation filter finds the rows through the
// projects.
func TestMigration0003KeepsTheMobilitiesOfAnOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v2.db")
	old := fileAtVersion(t, path, 2)
	var cols []string
	for range 30 {
		cols = append(cols, "?")
	}
	ins := "INSERT INTO mobilities VALUES (" + strings.Join(cols, ", ") + ")"
	for i, id := range []string{"M1", "M2"} {
		if _, err := old.Exec(ins, "P1", id, "E1", "X"+id, "KA122", 2024, "SM-JOB-SHDW", "FI", "DE", "Berlin", "S", "R",
			"2024-03-01", "2024-03-10", 10, 2, 1500, 0, 0, 0, 0, "", 0, "reported", 100000+i, "[]", "2024-04-01", "", 0, 10+i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.Exec("INSERT INTO projects (id, org, title, action, field, call_year, round, consortium, status, partners_json, " +
		"start_date, end_date, submitted_on, decided_on, signed_on, agreement_no, closed_on, requested_cents, awarded_cents, " +
		"reported_cents, paid_cents, final_cents, ukraine_exception, mobilities, counted_mobilities, cancelled, payments, reports, version, sequence) " +
		"VALUES ('P1', 'E1', 't', 'KA122', 'SCH', 2024, 1, 0, 'granted', '[]', '', '', '', '', '', '', '', 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 3, 12)"); err != nil {
		t.Fatal(err)
	}
	before := sumOf(t, old)
	old.Close()

	db := openDB(t, path)
	after, err := db.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if after.Tables["mobilities"] != before.Tables["mobilities"] {
		t.Fatal("the migration changed the rows of mobilities")
	}
	r, err := db.reader()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := r.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'mobilities_key'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("mobilities_key: %d, %v", n, err)
	}
	dup := "INSERT INTO mobilities SELECT * FROM mobilities WHERE id = 'M1'"
	if err := db.w.execScript(dup); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("a second row for P1/M1 was accepted: %v", err)
	}
	page, err := db.Mobilities(context.Background(), projections.MobilityFilter{Org: "E1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != "M1" || page.Items[1].ID != "M2" {
		t.Fatalf("mobilities of E1 after the migration: %+v", page.Items)
	}
}

// fileAtVersion creates a read-model file at path as a build of schema
// version n wrote it: the first n migrations, recorded as applied.
func fileAtVersion(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:n] {
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		if _, err := db.Exec("INSERT INTO schema_migrations VALUES (?, ?, ?)", m.version, m.name, m.sum); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// participantRows renders the rows of participants in the columns of
// schema version 3, and whether migration 0013's column is empty, in key
// order.
func participantRows(t *testing.T, db *sql.DB) string {
	t.Helper()
	sealed := "0"
	if _, err := db.Exec("SELECT sealed FROM participants LIMIT 0"); err == nil {
		sealed = "length(sealed)"
	}
	rows, err := db.Query("SELECT org, id, first_name, last_name, birth_date, email, gender, nationality, sequence, " + sealed + " FROM participants ORDER BY org, id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var v [10]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(v[:], "|") + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sumOf is Checksum of a plain database handle.
func sumOf(t *testing.T, db *sql.DB) Sum {
	t.Helper()
	s, err := Checksum(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigration0004KeepsTheParticipantsOfAnOlderFile opens a file of schema
// version 3 (participants in a WITHOUT ROWID table keyed by organisation
// and ID) and checks that the upgrade keeps every row, that the key is
// still unique, and that a participant is still found by its key.
func TestMigration0004KeepsTheParticipantsOfAnOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v3.db")
	old := fileAtVersion(t, path, 3)
	for i, p := range [][2]string{{"E2", "P1"}, {"E1", "P2"}, {"E1", "P1"}} {
		if _, err := old.Exec("INSERT INTO participants VALUES (?, ?, 'Aino', 'Mäkelä', '1990-01-01', '', '', 'FI', ?)", p[0], p[1], 10+i); err != nil {
			t.Fatal(err)
		}
	}
	before := participantRows(t, old)
	old.Close()

	db := openDB(t, path)
	// (Migration 0013 adds a column, empty in every row.)
	if after := participantRows(t, db.r); after != before {
		t.Fatalf("the migration changed the rows of participants:\n%s\n%s", before, after)
	}
	dup := "INSERT INTO participants SELECT * FROM participants WHERE org = 'E1' AND id = 'P1'"
	if err := db.w.execScript(dup); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
		t.Fatalf("a second row for E1/P1 was accepted: %v", err)
	}
	pv, err := db.Participant(context.Background(), "E1", "P1")
	if err != nil || pv.LastName != "Mäkelä" {
		t.Fatalf("participant E1/P1 after the migration: %+v, %v", pv, err)
	}
}

package sqlite

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
)

// oldRetentionCandidatesSQL is the query retentionCandidatesSQL replaced:
// a correlated look-up of each participant's mobilities.
const oldRetentionCandidatesSQL = "SELECT p.org, p.id FROM participants p " +
	"WHERE NOT EXISTS (SELECT 1 FROM erased_participants e WHERE e.org = p.org AND e.id = p.id) " +
	"AND EXISTS (SELECT 1 FROM mobilities m WHERE m.org = p.org AND m.participant_id = p.id) " +
	"AND NOT EXISTS (SELECT 1 FROM mobilities m WHERE m.org = p.org AND m.participant_id = p.id " +
	"AND NOT EXISTS (SELECT 1 FROM payments b WHERE b.project_id = m.project_id AND b.kind = 'balance' AND b.paid_on <= ?)) " +
	"ORDER BY p.org, p.id"

// TestRetentionCandidatesAsTheCorrelatedQuery (PD-RETENTION): on random
// participants, mobilities (some of participants without a row, several
// per participant across projects), balances before and after the cutoff,
// other payments and erasures, the grouped query lists exactly the
// participants the correlated one did, in the same order.
func TestRetentionCandidatesAsTheCorrelatedQuery(t *testing.T) {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		"CREATE TABLE participants (org TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (org, id)) WITHOUT ROWID",
		"CREATE TABLE erased_participants (org TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (org, id)) WITHOUT ROWID",
		"CREATE TABLE mobilities (project_id TEXT NOT NULL, id TEXT NOT NULL, org TEXT NOT NULL, participant_id TEXT NOT NULL)",
		"CREATE UNIQUE INDEX mobilities_key ON mobilities (project_id, id)",
		"CREATE TABLE payments (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, kind TEXT NOT NULL, paid_on TEXT NOT NULL) WITHOUT ROWID",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	orgs, projects, people := 3, 12, 60
	for i := range people {
		org := fmt.Sprintf("E%d", i%orgs)
		if r.IntN(8) > 0 {
			db.Exec("INSERT INTO participants VALUES (?, ?)", org, fmt.Sprintf("P%02d", i))
		}
		if r.IntN(10) == 0 {
			db.Exec("INSERT INTO erased_participants VALUES (?, ?)", org, fmt.Sprintf("P%02d", i))
		}
		for m := range r.IntN(4) {
			db.Exec("INSERT INTO mobilities VALUES (?, ?, ?, ?)", fmt.Sprintf("PR%02d", r.IntN(projects)), fmt.Sprintf("M%02d-%d", i, m), org, fmt.Sprintf("P%02d", i))
		}
	}
	for i := range 40 {
		kind := []string{"balance", "pre-financing", "recovery"}[r.IntN(3)]
		db.Exec("INSERT INTO payments VALUES (?, ?, ?, ?)", fmt.Sprintf("PAY%d", i), fmt.Sprintf("PR%02d", r.IntN(projects)), kind, fmt.Sprintf("2024-0%d-01", 1+r.IntN(9)))
	}
	list := func(q, cutoff string) []string {
		rows, err := db.Query(q, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var org, id string
			if err := rows.Scan(&org, &id); err != nil {
				t.Fatal(err)
			}
			out = append(out, org+"/"+id)
		}
		return out
	}
	some := 0
	for _, cutoff := range []string{"2023-12-31", "2024-03-15", "2024-06-01", "2024-12-31"} {
		want, got := list(oldRetentionCandidatesSQL, cutoff), list(retentionCandidatesSQL, cutoff)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("cutoff %s: %v, the correlated query %v", cutoff, got, want)
		}
		some += len(want)
	}
	if some == 0 {
		t.Fatal("no participant was ever due: the data proves nothing")
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/projections"
)

// smallPostingChunks makes posting chunks of n sequences for the test.
func smallPostingChunks(t *testing.T, n int) {
	t.Helper()
	old := postingChunk
	postingChunk = n
	t.Cleanup(func() { postingChunk = old })
}

// derivedPostings are the posting lists SQL derives from audit_log with
// chunks of n, as migration 0005 backfills them, one line per chunk.
func derivedPostings(t *testing.T, db *sql.DB, n int) []string {
	t.Helper()
	q := fmt.Sprintf(`SELECT kind, key, chunk, first_sequence, last_sequence, events, sequences FROM (
  SELECT 'org' AS kind, org AS key, n / %[1]d AS chunk, MIN(sequence) AS first_sequence, MAX(sequence) AS last_sequence,
         COUNT(*) AS events, json_group_array(sequence ORDER BY sequence) AS sequences
    FROM (SELECT org, sequence, row_number() OVER (PARTITION BY org ORDER BY sequence) - 1 AS n FROM audit_log)
   GROUP BY org, n / %[1]d
  UNION ALL
  SELECT 'aggregate', aggregate_id, n / %[1]d, MIN(sequence), MAX(sequence), COUNT(*), json_group_array(sequence ORDER BY sequence)
    FROM (SELECT aggregate_id, sequence, row_number() OVER (PARTITION BY aggregate_id ORDER BY sequence) - 1 AS n FROM audit_log)
   GROUP BY aggregate_id, n / %[1]d)
ORDER BY kind, key, chunk`, n)
	return postingLines(t, db, q)
}

// storedPostings are the rows of audit_postings, one line per chunk.
func storedPostings(t *testing.T, db *sql.DB) []string {
	t.Helper()
	return postingLines(t, db, "SELECT kind, key, chunk, first_sequence, last_sequence, events, sequences FROM audit_postings ORDER BY kind, key, chunk")
}

func postingLines(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, key, seqs string
		var chunk, first, last, n int64
		if err := rows.Scan(&kind, &key, &chunk, &first, &last, &n, &seqs); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s #%d %d-%d (%d) %s", kind, key, chunk, first, last, n, seqs))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// samePostings fails the test at the first chunk where got and want differ.
func samePostings(t *testing.T, what string, want, got []string) {
	t.Helper()
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			t.Fatalf("%s: chunk %d is\n  %s\nwant\n  %s", what, i, got[i], want[i])
		}
	}
	if len(want) != len(got) {
		t.Fatalf("%s: %d chunks, want %d", what, len(got), len(want))
	}
	if len(want) == 0 {
		t.Fatalf("%s: no chunks at all", what)
	}
}

// TestAuditPostingsListEveryEventOfEachOrganisationAndAggregate projects a
// history live in several runs (each projector loads the lists' last
// chunks from the file, and forgets them past 5 lists) and as a rebuild
// (which keeps them in memory), with chunks of 4 sequences: both files hold
// the posting lists SQL derives from their audit log.
func TestAuditPostingsListEveryEventOfEachOrganisationAndAggregate(t *testing.T) {
	smallPostingChunks(t, 4)
	oldMax := maxCachedTails
	maxCachedTails = 5
	t.Cleanup(func() { maxCachedTails = oldMax })
	s := openStore(t, testRegistry)
	n := generate(t, s, 1500)
	live := openDB(t, filepath.Join(t.TempDir(), "live.db"))
	for i, until := range []uint64{1, 37, 300, 301, 900, uint64(n)} {
		p, err := NewProjector(live, ProjectorConfig{BatchSize: 1 + i*50})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.CatchUp(testCtx(t), s, Until{Sequence: until}); err != nil {
			t.Fatal(err)
		}
		if n := max(len(p.a.postOrg.m), len(p.a.postAgg.m)); n > maxCachedTails {
			t.Fatalf("the projector keeps %d tails of one kind after its batches, more than %d", n, maxCachedTails)
		}
	}
	if live.Checkpoint() != uint64(n) {
		t.Fatalf("live checkpoint %d, want %d", live.Checkpoint(), n)
	}
	out := filepath.Join(t.TempDir(), "rebuilt.db")
	if _, err := Rebuild(testCtx(t), s, out, Until{}, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := openDB(t, out)
	for _, db := range []*DB{live, rebuilt} {
		r, err := db.reader()
		if err != nil {
			t.Fatal(err)
		}
		samePostings(t, db.path, derivedPostings(t, r, 4), storedPostings(t, r))
	}
	sameSums(t, sum(t, live), sum(t, rebuilt))
}

// TestMigration0005BuildsThePostingsOfAnOlderFile upgrades a file of
// schema version 4 holding an audit log: the migration derives the same
// posting lists as the projector writes, and drops the two indexes the
// lists replace.
func TestMigration0005BuildsThePostingsOfAnOlderFile(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 1200)
	dir := t.TempDir()
	built := openDB(t, filepath.Join(dir, "built.db"))
	catchUp(t, built, s, ProjectorConfig{})
	r, err := built.reader()
	if err != nil {
		t.Fatal(err)
	}
	want := storedPostings(t, r)

	path := filepath.Join(dir, "v4.db")
	old := fileAtVersion(t, path, 4)
	if _, err := old.Exec("ATTACH DATABASE ? AS built", built.path); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("INSERT INTO audit_log SELECT * FROM built.audit_log"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec("DETACH DATABASE built"); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db := openDB(t, path)
	r, err = db.reader()
	if err != nil {
		t.Fatal(err)
	}
	samePostings(t, "migrated file", want, storedPostings(t, r))
	var indexes int
	if err := r.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_log'").Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if indexes != 0 {
		t.Fatalf("audit_log keeps %d indexes after migration 0005", indexes)
	}
}

// TestAuditPagesAnOrganisationOrAggregateLikeAScanOfTheLog pages through
// the audit log with every kind of filter, both ways and with several page
// sizes, on lists in chunks of 3: the pages hold exactly the entries a
// scan of the whole log keeps, in order.
func TestAuditPagesAnOrganisationOrAggregateLikeAScanOfTheLog(t *testing.T) {
	smallPostingChunks(t, 3)
	s := openStore(t, testRegistry)
	generate(t, s, 1200)
	db := openDB(t, filepath.Join(t.TempDir(), "live.db"))
	catchUp(t, db, s, ProjectorConfig{BatchSize: 100})
	ctx := context.Background()

	all, err := db.auditRows(ctx, "ORDER BY sequence", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The organisation and the project with the most events, and a small one.
	byOrg, byAgg := map[string]int{}, map[string]int{}
	for _, e := range all {
		byOrg[e.Org]++
		byAgg[e.AggregateID]++
	}
	org, project, small := "", "", ""
	for _, e := range all {
		if org == "" || byOrg[e.Org] > byOrg[org] {
			org = e.Org
		}
		if e.AggregateKind == "project" && (project == "" || byAgg[e.AggregateID] > byAgg[project]) {
			project = e.AggregateID
		}
		if small == "" || byAgg[e.AggregateID] < byAgg[small] {
			small = e.AggregateID
		}
	}
	if byOrg[org] < 20 || byAgg[project] < 10 {
		t.Fatalf("the history is too small to page: %d events of %s, %d of %s", byOrg[org], org, byAgg[project], project)
	}
	filters := []projections.AuditFilter{
		{Org: org},
		{AggregateID: project},
		{AggregateKind: "project", AggregateID: project},
		{AggregateKind: "organisation", AggregateID: project},
		{AggregateID: small},
		{Org: org, Type: "MobilityReported"},
		{Org: org, AggregateKind: "organisation"},
		{Org: org, AggregateID: project},
		{AggregateID: project, Type: "PaymentRecorded"},
		{Org: "E00000000"},
		{AggregateID: "no-such-aggregate"},
		{Type: "ApplicationSubmitted"},
		{},
	}
	for _, f := range filters {
		var want []uint64
		for _, e := range all {
			if (f.Org == "" || e.Org == f.Org) && (f.AggregateID == "" || e.AggregateID == f.AggregateID) &&
				(f.AggregateKind == "" || e.AggregateKind == f.AggregateKind) && (f.Type == "" || e.Type == f.Type) {
				want = append(want, e.Sequence)
			}
		}
		for _, desc := range []bool{false, true} {
			w := want
			if desc {
				w = make([]uint64, len(want))
				for i, seq := range want {
					w[len(want)-1-i] = seq
				}
			}
			for _, limit := range []int{1, 2, 7, projections.MaxLimit} {
				f := f
				f.Descending, f.Limit = desc, limit
				name := fmt.Sprintf("%+v", f)
				var got []uint64
				for pages := 0; ; pages++ {
					if pages > len(w)+1 {
						t.Fatalf("%s: the cursor never ends", name)
					}
					page, err := db.Audit(ctx, f)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if len(page.Items) > limit {
						t.Fatalf("%s: %d entries on a page of %d", name, len(page.Items), limit)
					}
					for _, e := range page.Items {
						got = append(got, e.Sequence)
					}
					if page.NextCursor == "" {
						break
					}
					f.Cursor = page.NextCursor
				}
				if fmt.Sprint(got) != fmt.Sprint(w) {
					t.Fatalf("%s: pages hold %s, a scan keeps %s", name, short(got), short(w))
				}
			}
		}
	}
}

// short renders at most 20 sequences.
func short(s []uint64) string {
	if len(s) <= 20 {
		return fmt.Sprint(s)
	}
	return strings.TrimSuffix(fmt.Sprint(s[:20]), "]") + fmt.Sprintf(" ... (%d in all)]", len(s))
}

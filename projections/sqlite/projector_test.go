package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/projections"
)

func TestProjectorAppliesHistoryAndKeepsTotalsConsistent(t *testing.T) {
	s := openStore(t, testRegistry)
	n := generate(t, s, 1500)
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	last := catchUp(t, db, s, ProjectorConfig{})
	if last != uint64(n) || db.Checkpoint() != uint64(n) {
		t.Fatalf("checkpoint %d (returned %d), want %d", db.Checkpoint(), last, n)
	}
	ctx := context.Background()
	page, err := db.Audit(ctx, projections.AuditFilter{Page: projections.Page{Limit: projections.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != min(n, projections.MaxLimit) || page.Items[0].Sequence != 1 || page.Items[0].Summary == "" {
		t.Fatalf("audit page: %d items, first %+v", len(page.Items), page.Items[0])
	}
	// The reported grant of every project equals the sum of its live mobilities.
	rows, err := db.r.Query(`SELECT p.id, p.reported_cents, COALESCE((SELECT SUM(grant_cents) FROM mobilities m
		WHERE m.project_id = p.id AND m.status != 'cancelled'), 0), p.mobilities,
		(SELECT COUNT(*) FROM mobilities m WHERE m.project_id = p.id AND m.status != 'cancelled') FROM projects p`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	count := 0
	for rows.Next() {
		var id string
		var reported, sum, mobs, live int64
		if err := rows.Scan(&id, &reported, &sum, &mobs, &live); err != nil {
			t.Fatal(err)
		}
		if reported != sum || mobs != live {
			t.Errorf("project %s: reported %d / %d mobilities, rows say %d / %d", id, reported, mobs, sum, live)
		}
		count++
	}
	if count == 0 {
		t.Fatal("no projects projected")
	}
	// The statistics add up to the live mobilities.
	var statMobs, liveMobs int64
	db.r.QueryRow("SELECT SUM(mobilities) FROM stat_mobilities").Scan(&statMobs)
	db.r.QueryRow("SELECT COUNT(*) FROM mobilities WHERE status != 'cancelled'").Scan(&liveMobs)
	if statMobs != liveMobs || liveMobs == 0 {
		t.Fatalf("stat_mobilities counts %d mobilities, the table holds %d live ones", statMobs, liveMobs)
	}
}

package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// budgetsMatchTheMobilities fails the test for every project of db whose
// kept budget or participant count differs from the one computed from its
// mobilities.
func budgetsMatchTheMobilities(t *testing.T, what string, db *DB) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.r.Query("SELECT id FROM projects ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	withMobs := 0
	for _, id := range ids {
		var mobs []projections.MobilityView
		f := projections.MobilityFilter{ProjectID: id, IncludeCancelled: true, Page: projections.Page{Limit: projections.MaxLimit}}
		for {
			page, err := db.Mobilities(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			mobs = append(mobs, page.Items...)
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
		want := projections.BudgetOf(mobs)
		got, err := db.Budget(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) > 0 {
			withMobs++
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s: budget of project %s:\n kept     %+v\n computed %+v", what, id, got, want)
		}
		pv, err := db.Project(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var participants int
		db.r.QueryRow("SELECT COUNT(DISTINCT participant_id) FROM mobilities WHERE project_id = ? AND status != 'cancelled'", id).Scan(&participants)
		if pv.Counts.Participants != participants {
			t.Fatalf("%s: project %s counts %d participants, its mobilities %d", what, id, pv.Counts.Participants, participants)
		}
	}
	if withMobs < 10 {
		t.Fatalf("%s: only %d projects with mobilities: the test proves nothing", what, withMobs)
	}
	// The table keeps the first keptExamples explanations of a category,
	// not every distinct one.
	var most, categories int
	db.r.QueryRow("SELECT IFNULL(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM project_budget_examples GROUP BY project_id, category)").Scan(&most)
	db.r.QueryRow("SELECT COUNT(*) FROM project_budget_examples e WHERE (SELECT COUNT(DISTINCT json_extract(j.value, '$.explanation')) " +
		"FROM mobilities m, json_each(m.lines_json) j WHERE m.project_id = e.project_id AND m.status != 'cancelled' " +
		"AND json_extract(j.value, '$.category') = e.category) > 3").Scan(&categories)
	if most != keptExamples || categories == 0 {
		t.Fatalf("%s: project_budget_examples keeps up to %d explanations of a category, want %d (%d rows of categories with more than %d)",
			what, most, keptExamples, categories, keptExamples)
	}
}

// TestBudgetIsKeptAsTheMobilitiesChange proves that the budgets the
// projector keeps (project_budgets, project_budget_examples) equal the
// ones computed from the mobilities, reports, corrections and
// cancellations included: live in small batches, in a rebuild's bulk load,
// and filled by the migration in a file that had mobilities before it.
func TestBudgetIsKeptAsTheMobilitiesChange(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 4000)
	ctx := testCtx(t)
	dir := t.TempDir()

	live := openDB(t, filepath.Join(dir, "live.db"))
	catchUp(t, live, s, ProjectorConfig{BatchSize: 7})
	var corrected, cancelled int
	live.r.QueryRow("SELECT COUNT(*) FROM mobilities WHERE status = 'corrected'").Scan(&corrected)
	live.r.QueryRow("SELECT COUNT(*) FROM mobilities WHERE status = 'cancelled'").Scan(&cancelled)
	if corrected == 0 || cancelled == 0 {
		t.Fatalf("the history has %d corrected and %d cancelled mobilities: the test needs both", corrected, cancelled)
	}
	budgetsMatchTheMobilities(t, "live", live)

	path := filepath.Join(dir, "rebuilt.db")
	if _, err := Rebuild(ctx, s, path, Until{}, nil); err != nil {
		t.Fatal(err)
	}
	rebuilt := openDB(t, path)
	budgetsMatchTheMobilities(t, "rebuilt", rebuilt)
	liveSum := sum(t, live)
	sameSums(t, liveSum, sum(t, rebuilt))

	// A file migrated to the budget tables fills them from its mobilities
	// (the migrations after 0011 run again too: 0012 rebuilds payments
	// from its own shape, 0013 adds participants.sealed).
	if err := live.w.execScript("DROP TABLE project_budgets; DROP TABLE project_budget_examples; DROP TABLE project_participants; " +
		"ALTER TABLE projects DROP COLUMN participants; ALTER TABLE participants DROP COLUMN sealed; DELETE FROM schema_migrations WHERE version >= 11"); err != nil {
		t.Fatal(err)
	}
	live.Close()
	migrated := openDB(t, filepath.Join(dir, "live.db"))
	budgetsMatchTheMobilities(t, "migrated", migrated)
	// Migration 0014 keeps the same examples as the projector.
	for _, table := range []string{"project_budgets", "project_budget_examples", "project_participants"} {
		if got := sum(t, migrated).Tables[table]; got != liveSum.Tables[table] {
			t.Errorf("table %s of the migrated file differs from the projected one", table)
		}
	}
}

// TestBudgetExamplesFollowTheFirstLiveLine proves that when the line an
// explanation was first quoted from goes (cancelled, or corrected to
// another explanation), the explanation moves to its next line in
// mobility ID order, live and in a rebuild.
func TestBudgetExamplesFollowTheFirstLiveLine(t *testing.T) {
	s := openStore(t, testRegistry)
	ctx := testCtx(t)
	const oid, pid = "E10000001", "2024-1-FI01-KA122-SCH-000001"
	ref := events.Ref{Org: oid, Kind: aggregates.KindProject, ID: pid}
	var head events.Head
	appendOne := func(p any) {
		t.Helper()
		meta := events.Meta{Actor: events.Actor{UserID: "u", Role: aggregates.RoleBeneficiary, Org: oid}, RecordedAt: testTime}
		envs, err := s.Append(ctx, events.AppendRequest{Ref: ref, Expected: head, Meta: meta, Events: []events.Draft{{Payload: p, OccurredAt: testTime}}})
		if err != nil {
			t.Fatal(err)
		}
		head = events.HeadOf(envs[0])
	}
	mobility := func(id, expl string) (aggregates.Mobility, aggregates.GrantBreakdown) {
		m := aggregates.Mobility{MobilityID: id, ParticipantID: "P-" + id, Activity: "SM-JOB-SHDW", SendingCountry: "FI", ReceivingCountry: "DE"}
		return m, aggregates.GrantBreakdown{TotalCents: 100, Lines: []aggregates.GrantLine{{Category: "travel", Rule: "BUD-TRAVEL-BAND", Explanation: expl, AmountCents: 100}}}
	}
	appendOne(aggregates.ApplicationSubmitted{ProjectID: pid, OID: oid, Action: "KA122", Field: "school", CallYear: 2024})
	for i, expl := range []string{"a", "b", "c", "a", "d"} {
		m, g := mobility(fmt.Sprintf("M%d", i+1), expl)
		appendOne(aggregates.MobilityReported{ProjectID: pid, OID: oid, Mobility: m, Grant: g})
	}
	live := openDB(t, filepath.Join(t.TempDir(), "live.db"))
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"first three distinct explanations in mobility order", func() {}, []string{"a", "b", "c"}},
		{"a cancelled first line moves to the next", func() {
			appendOne(aggregates.MobilityCancelled{ProjectID: pid, OID: oid, MobilityID: "M1"})
		}, []string{"b", "c", "a"}},
		{"a line corrected to another explanation moves it too", func() {
			m, g := mobility("M2", "e")
			appendOne(aggregates.MobilityCorrected{ProjectID: pid, OID: oid, Mobility: m, Grant: g})
		}, []string{"e", "c", "a"}},
		{"a correction back brings the line back first", func() {
			m, g := mobility("M1", "d")
			appendOne(aggregates.MobilityCorrected{ProjectID: pid, OID: oid, Mobility: m, Grant: g})
		}, []string{"d", "e", "c"}},
	}
	for _, st := range steps {
		st.do()
		catchUp(t, live, s, ProjectorConfig{})
		path := filepath.Join(t.TempDir(), "rebuilt.db")
		if _, err := Rebuild(ctx, s, path, Until{}, nil); err != nil {
			t.Fatal(err)
		}
		rebuilt := openDB(t, path)
		for what, db := range map[string]*DB{"live": live, "rebuilt": rebuilt} {
			got, err := db.Budget(ctx, pid)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0].Examples, st.want) {
				t.Errorf("%s, %s: budget %+v, want examples %v", st.name, what, got, st.want)
			}
		}
	}
}

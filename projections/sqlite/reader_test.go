package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
)

// readerDB projects a small generated history into a fresh file.
func readerDB(t *testing.T) *DB {
	t.Helper()
	s := openStore(t, testRegistry)
	generate(t, s, 1500)
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	catchUp(t, db, s, ProjectorConfig{})
	return db
}

func TestReaderPagesWithOpaqueCursorsAndFilters(t *testing.T) {
	db := readerDB(t)
	ctx := context.Background()
	var total int64
	db.r.QueryRow("SELECT COUNT(*) FROM mobilities WHERE status != 'cancelled'").Scan(&total)
	seen := map[string]bool{}
	f := projections.MobilityFilter{Page: projections.Page{Limit: 37}}
	pages := 0
	for {
		page, err := db.Mobilities(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Items {
			key := m.ProjectID + "/" + m.ID
			if seen[key] {
				t.Fatalf("mobility %s on two pages", key)
			}
			seen[key] = true
			if m.Status == mobCancelled || len(m.Lines) == 0 || m.ParticipantID == "" {
				t.Fatalf("mobility %s: %+v", key, m)
			}
		}
		pages++
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	if int64(len(seen)) != total || pages < 2 {
		t.Fatalf("paged through %d mobilities in %d pages, want %d", len(seen), pages, total)
	}
	// A project's mobilities, and one of them by ID.
	firstPage, err := db.Mobilities(ctx, projections.MobilityFilter{Page: projections.Page{Limit: 1}})
	if err != nil || len(firstPage.Items) != 1 {
		t.Fatalf("first mobility: %+v, %v", firstPage, err)
	}
	first := firstPage.Items[0]
	ofProject, err := db.Mobilities(ctx, projections.MobilityFilter{ProjectID: first.ProjectID, Page: projections.Page{Limit: projections.MaxLimit}})
	if err != nil || len(ofProject.Items) == 0 {
		t.Fatalf("mobilities of %s: %v", first.ProjectID, err)
	}
	for _, m := range ofProject.Items {
		if m.ProjectID != first.ProjectID {
			t.Fatalf("mobility of %s listed for %s", m.ProjectID, first.ProjectID)
		}
	}
	m, err := db.Mobility(ctx, first.ProjectID, first.ID)
	if err != nil || m.ID != first.ID || m.GrantCents != first.GrantCents {
		t.Fatalf("mobility by ID: %+v, %v", m, err)
	}
	// Cursors are checked.
	if _, err := db.Mobilities(ctx, projections.MobilityFilter{Page: projections.Page{Cursor: "not-a-cursor"}}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("bad cursor: %v", err)
	}
	// Projects by organisation, and the audit log of one project.
	p, err := db.Project(ctx, first.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if p.RemainingCents != p.AwardedCents-p.ReportedCents || p.Counts.Mobilities == 0 || p.Counts.Participants == 0 || len(p.Partners) == 0 {
		t.Fatalf("project view: %+v", p)
	}
	ps, err := db.ProjectsOf(ctx, p.Org)
	if err != nil || len(ps) == 0 {
		t.Fatalf("projects of %s: %v, %v", p.Org, ps, err)
	}
	audit, err := db.Audit(ctx, projections.AuditFilter{AggregateKind: "project", AggregateID: p.ID, Page: projections.Page{Limit: projections.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	if uint64(len(audit.Items)) != p.Version {
		t.Fatalf("audit log of %s: %d entries, the project is at version %d", p.ID, len(audit.Items), p.Version)
	}
	for i, e := range audit.Items {
		if e.Version != uint64(i+1) || e.Summary == "" || e.Hash == "" || (i > 0 && e.PrevHash != audit.Items[i-1].Hash) {
			t.Fatalf("audit entry %d: %+v", i, e)
		}
	}
	desc, err := db.Audit(ctx, projections.AuditFilter{Org: p.Org, Descending: true, Page: projections.Page{Limit: 2}})
	if err != nil || len(desc.Items) != 2 || desc.Items[0].Sequence < desc.Items[1].Sequence || desc.NextCursor == "" {
		t.Fatalf("newest first: %+v, %v", desc, err)
	}
	// Payments and reports of a closed project.
	var closed string
	db.r.QueryRow("SELECT id FROM projects WHERE status = 'closed' LIMIT 1").Scan(&closed)
	pays, err := db.Payments(ctx, closed)
	if err != nil || len(pays) != 2 || pays[0].Kind != "pre-financing" {
		t.Fatalf("payments of %s: %+v, %v", closed, pays, err)
	}
	reps, err := db.Reports(ctx, closed)
	if err != nil || len(reps) != 2 || reps[1].ID != finalReportID || reps[1].Status != "assessed" {
		t.Fatalf("reports of %s: %+v, %v", closed, reps, err)
	}
	// Personal data are kept apart, under the organisation and pseudonym.
	pv, err := db.Participant(ctx, m.Org, m.ParticipantID)
	if err != nil || pv.FirstName == "" || pv.ID != m.ParticipantID {
		t.Fatalf("participant %s: %+v, %v", m.ParticipantID, pv, err)
	}
}

func TestReaderReportsWhatIsMissing(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	ctx := context.Background()
	checks := map[string]error{}
	_, checks["organisation"] = db.Organisation(ctx, "E404")
	_, checks["project"] = db.Project(ctx, "P404")
	_, checks["mobility"] = db.Mobility(ctx, "P404", "M1")
	_, checks["participant"] = db.Participant(ctx, "E404", "X")
	for what, err := range checks {
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s: %v, want not-found", what, err)
		}
	}
	if ps, err := db.ProjectsOf(ctx, "E404"); err != nil || ps == nil || len(ps) != 0 {
		t.Errorf("projects of an unknown organisation: %v, %v (want an empty list)", ps, err)
	}
}

func TestOrganisationListShowsTheSameAccreditationsAsOneOrganisation(t *testing.T) {
	db := readerDB(t)
	ctx := context.Background()
	var withAcc int64
	db.r.QueryRow("SELECT COUNT(DISTINCT org) FROM accreditations").Scan(&withAcc)
	if withAcc == 0 {
		t.Fatal("the generated history has no accreditation: the test proves nothing")
	}
	f := projections.OrganisationFilter{Page: projections.Page{Limit: 3}}
	listed := 0
	for {
		page, err := db.Organisations(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Items {
			one, err := db.Organisation(ctx, o.OID)
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Accreditations) != len(one.Accreditations) {
				t.Fatalf("%s: the list shows %d accreditations, the organisation %d", o.OID, len(o.Accreditations), len(one.Accreditations))
			}
			if len(o.Accreditations) > 0 {
				listed++
			}
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	if int64(listed) != withAcc {
		t.Fatalf("%d organisations listed with accreditations, want %d", listed, withAcc)
	}
}

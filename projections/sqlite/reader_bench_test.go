package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// benchProjectDB projects one project with n mobilities (four grant lines
// each, a dozen distinct explanations) into a fresh file.
func benchProjectDB(b *testing.B, n int) (*DB, string) {
	b.Helper()
	s := openStore(b, testRegistry)
	ctx := testCtx(b)
	const oid, pid = "E10000001", "2024-1-FI01-KA122-SCH-000001"
	ref := events.Ref{Org: oid, Kind: aggregates.KindProject, ID: pid}
	meta := events.Meta{Actor: events.Actor{UserID: "u", Role: aggregates.RoleBeneficiary, Org: oid}, RecordedAt: testTime}
	drafts := []events.Draft{{Payload: aggregates.ApplicationSubmitted{ProjectID: pid, OID: oid, Action: "KA122", Field: "school", CallYear: 2024}, OccurredAt: testTime}}
	for i := range n {
		m := aggregates.Mobility{MobilityID: fmt.Sprintf("M%05d", i), ParticipantID: fmt.Sprintf("P%05d", i), Activity: "SM-JOB-SHDW", SendingCountry: "FI", ReceivingCountry: "DE",
			StartDate: aggregates.NewDate(2024, 3, 1), EndDate: aggregates.NewDate(2024, 3, 10)}
		g := aggregates.GrantBreakdown{TotalCents: 4000, Lines: []aggregates.GrantLine{
			{Category: "travel", Rule: "BUD-TRAVEL-BAND", Explanation: fmt.Sprintf("travel band %d", i%3), AmountCents: 1000},
			{Category: "individual_support", Rule: "BUD-INDIVIDUAL", Explanation: fmt.Sprintf("individual support: %d days", 5+i%7), AmountCents: 1000},
			{Category: "organisational_support", Rule: "BUD-ORG-SUPPORT", Explanation: "organisational support: 100.00 EUR per participant", AmountCents: 1000},
			{Category: "inclusion_support", Rule: "BUD-INCLUSION-REQ", Explanation: "inclusion support for organisations", AmountCents: 1000},
		}}
		drafts = append(drafts, events.Draft{Payload: aggregates.MobilityReported{ProjectID: pid, OID: oid, Mobility: m, Days: 10, Grant: g}, OccurredAt: testTime})
	}
	var head events.Head
	for len(drafts) > 0 {
		k := min(len(drafts), 200)
		envs, err := s.Append(ctx, events.AppendRequest{Ref: ref, Expected: head, Meta: meta, Events: drafts[:k]})
		if err != nil {
			b.Fatal(err)
		}
		head, drafts = events.HeadOf(envs[len(envs)-1]), drafts[k:]
	}
	db := openDB(b, filepath.Join(b.TempDir(), "grants.db"))
	catchUp(b, db, s, ProjectorConfig{})
	return db, pid
}

// BenchmarkProjectStatusReads measures what a project's status reads (the
// project row and its budget), from the kept budget and, for comparison,
// computed from every mobility as it was before project_budgets: the kept
// one is flat in the number of mobilities.
func BenchmarkProjectStatusReads(b *testing.B) {
	for _, n := range []int{30, 1000} {
		db, pid := benchProjectDB(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("kept/mobilities=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Project(ctx, pid); err != nil {
					b.Fatal(err)
				}
				if _, err := db.Budget(ctx, pid); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("computed/mobilities=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Project(ctx, pid); err != nil {
					b.Fatal(err)
				}
				var mobs []projections.MobilityView
				f := projections.MobilityFilter{ProjectID: pid, Page: projections.Page{Limit: projections.MaxLimit}}
				for {
					page, err := db.Mobilities(ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					mobs = append(mobs, page.Items...)
					if page.NextCursor == "" {
						break
					}
					f.Cursor = page.NextCursor
				}
				projections.BudgetOf(mobs)
			}
		})
	}
}

// BenchmarkMobilityPage measures a 50-item page of a project's
// mobilities, the first and one deep in the list (keyset pagination on
// mobilities_key): flat in the number of mobilities.
func BenchmarkMobilityPage(b *testing.B) {
	for _, n := range []int{30, 1000} {
		db, pid := benchProjectDB(b, n)
		ctx := context.Background()
		deep := ""
		if n > 100 {
			deep = encodeCursor(pid, fmt.Sprintf("M%05d", n-60))
		}
		b.Run(fmt.Sprintf("mobilities=%d", n), func(b *testing.B) {
			for b.Loop() {
				page, err := db.Mobilities(ctx, projections.MobilityFilter{ProjectID: pid, Page: projections.Page{Limit: 50, Cursor: deep}})
				if err != nil || len(page.Items) != min(n, 50) {
					b.Fatal(err, len(page.Items))
				}
			}
		})
	}
}

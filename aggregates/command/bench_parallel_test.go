package command_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
)

// BenchmarkReportParallel reports mobilities with Idempotency-Keys from 32
// goroutines into the KA122 projects of 32 organisations, on the real
// store (embedded server, fsync group commit), each project holding
// mobilities=n already (written straight to the store, zero grants): the
// command path's throughput without HTTP, and whether it depends on the
// size of the projects.
func BenchmarkReportParallel(b *testing.B) {
	const orgs = 32
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("mobilities=%d", n), func(b *testing.B) {
			st := jsStore(b)
			clk := newClock("2024-01-15T10:00:00Z")
			setup := command.New(st, domain(b), aggregates.Registry(), clk, command.Config{})
			ctx := context.Background()
			for o := range orgs {
				oid, id := fmt.Sprintf("E8%07d", o), fmt.Sprintf("2024-1-FI01-KA122-SCH-8%08d", o)
				registerOrg(b, setup, oid)
				mustHandle(b, setup, office, applicationOf(oid, id))
				mustHandle(b, setup, office, aggregates.AssessEligibility{ProjectID: id, Outcome: aggregates.OutcomeEligible})
				mustHandle(b, setup, office, aggregates.DecideApplication{ProjectID: id, Outcome: aggregates.OutcomeApproved, AwardedCents: 5000000})
				res := mustHandle(b, setup, office, aggregates.SignGrantAgreement{ProjectID: id})
				drafts := make([]events.Draft, n)
				for i := range drafts {
					m := prepVisit(id, fmt.Sprintf("FILL%05d", i)).Mobility
					drafts[i] = events.Draft{Payload: aggregates.MobilityReported{ProjectID: id, OID: oid, Action: aggregates.ActionKA122, CallYear: 2024,
						Mobility: m, Days: 3, Grant: aggregates.GrantBreakdown{CallYear: 2024}, ReportedOn: date("2024-09-10")}, OccurredAt: clk.Now()}
				}
				ref := events.Ref{Org: oid, Kind: aggregates.KindProject, ID: id}
				if _, err := st.Append(ctx, events.AppendRequest{Ref: ref, Expected: events.Head{Version: res.Version, Sequence: res.Sequence, Hash: res.Events[len(res.Events)-1].Hash},
					Meta: events.Meta{Actor: office, RecordedAt: clk.Now()}, Events: drafts}); err != nil {
					b.Fatal(err)
				}
			}
			clk.set(clk.Now().AddDate(1, 5, 0))
			h := command.New(st, domain(b), aggregates.Registry(), clk, command.Config{})
			for o := range orgs { // warm: one report each (loads the project)
				mustHandle(b, h, office, prepVisit(fmt.Sprintf("2024-1-FI01-KA122-SCH-8%08d", o), "WARM"))
			}
			var next, seq atomic.Int64
			b.SetParallelism(orgs / 2) // 32 goroutines on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				o := next.Add(1) - 1
				id := fmt.Sprintf("2024-1-FI01-KA122-SCH-8%08d", o%orgs)
				for pb.Next() {
					i := seq.Add(1)
					req := command.Request{Command: prepVisit(id, fmt.Sprintf("NEW%07d", i)), Actor: office, IdempotencyKey: fmt.Sprintf("k-%d", i)}
					if _, err := h.Handle(ctx, req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commands/s")
		})
	}
}

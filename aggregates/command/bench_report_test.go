package command_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
)

// BenchmarkKeyedReport reports mobilities with an Idempotency-Key through
// the handler, one after the other, on the real store (embedded server,
// fsync group commit) into a project that holds n mobilities already: the
// command path without HTTP, whose cost is its round trips.
func BenchmarkKeyedReport(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("mobilities=%d", n), func(b *testing.B) {
			st := jsStore(b)
			clk := newClock("2024-01-15T10:00:00Z")
			h := command.New(st, domain(b), aggregates.Registry(), clk, command.Config{})
			id := projectID(1)
			runningKA122(b, h, clk, id)
			// Cancelled mobilities stay in the project but leave room
			// under the awarded grant (BUD-GRANT-CAP).
			for i := range n {
				mustHandle(b, h, school, prepVisit(id, fmt.Sprintf("OLD%05d", i)))
				mustHandle(b, h, school, aggregates.CancelMobility{ProjectID: id, MobilityID: fmt.Sprintf("OLD%05d", i), Reason: "test"})
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				mob := fmt.Sprintf("NEW%07d", i)
				req := command.Request{Command: prepVisit(id, mob), Actor: school, IdempotencyKey: fmt.Sprintf("key-%d", i)}
				if _, err := h.Handle(ctx, req); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				mustHandle(b, h, school, aggregates.CancelMobility{ProjectID: id, MobilityID: mob, Reason: "test"})
				b.StartTimer()
			}
		})
	}
}

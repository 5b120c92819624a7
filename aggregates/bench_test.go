package aggregates

import (
	"fmt"
	"testing"
)

// BenchmarkEvolveProjectWithMobilities folds a KA121-sized project of n
// mobilities from nothing: the cost of loading an organisation.
func BenchmarkEvolveProjectWithMobilities(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		evs := ka122()
		for i := 0; i < n; i++ {
			evs = append(evs, mobEvent(fmt.Sprintf("M%05d", i), 100_000, nil))
		}
		b.Run(fmt.Sprintf("EvolveAll/mobilities=%d", n), func(b *testing.B) {
			for b.Loop() {
				EvolveAll(NewPortfolio(testOrg), evs)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
		})
		if n > 1000 {
			continue // one Evolve per event copies the mobility map each time: O(n²)
		}
		b.Run(fmt.Sprintf("Evolve/mobilities=%d", n), func(b *testing.B) {
			for b.Loop() {
				fold(evs...)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
		})
	}
}

// BenchmarkDecideReportMobility decides one mobility report on a project
// that already has 1 000 mobilities.
func BenchmarkDecideReportMobility(b *testing.B) {
	evs := ka122Awarded(1 << 40)
	for i := 0; i < 1000; i++ {
		evs = append(evs, mobEvent(fmt.Sprintf("M%05d", i), 100_000, func(m *Mobility) { m.Activity = "OA-PREP-VISIT" }))
	}
	s := fold(evs...)
	d := testDomain()
	ctx := officeAt("2023-01-01")
	cmd := report(jobShadow("NEW"))
	for b.Loop() {
		if _, err := d.Decide(ctx, s, cmd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReportNth is the cost of the n-th report of a project as the
// command handler pays it: decide the report on the cached state, then
// fold its event into that state. In place (EvolveOwned) it is flat in
// the number of mobilities; the pure EvolveAll copies the mobility map.
func BenchmarkReportNth(b *testing.B) {
	for _, n := range []int{10, 1000} {
		for _, mode := range []string{"owned", "pure"} {
			b.Run(fmt.Sprintf("%s/mobilities=%d", mode, n), func(b *testing.B) {
				evs := ka122Awarded(1 << 40)
				for i := 0; i < n; i++ {
					evs = append(evs, mobEvent(fmt.Sprintf("M%05d", i), 100_000, func(m *Mobility) { m.Activity = "OA-PREP-VISIT" }))
				}
				s := EvolveAll(NewPortfolio(testOrg), evs)
				d := testDomain()
				ctx := officeAt("2023-01-01")
				i := 0
				for b.Loop() {
					// The same mobility reported again is a correction: a
					// new ID each time is the n-th report.
					id := fmt.Sprintf("N%07d", i)
					i++
					m := jobShadow(id)
					m.Activity, m.TravelDays = "OA-PREP-VISIT", 0 // does not count toward KA122-MAX-MOB
					decided, err := d.Decide(ctx, s, report(m))
					if err != nil {
						b.Fatal(err)
					}
					if mode == "owned" {
						EvolveOwned(&s, decided)
					} else {
						s = EvolveAll(s, decided)
					}
				}
			})
		}
	}
}

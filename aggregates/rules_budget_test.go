package aggregates

import (
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
)

// ka122Awarded is ka122 with another awarded grant.
func ka122Awarded(awarded int64, extra ...Event) []Event {
	return cat(registered(),
		[]Event{submitted(testProject, ActionKA122, 2022, 1, "2022-06-01", "2023-08-31", 6_000_000)},
		running(testProject, awarded, "2022-05-20"), extra)
}

// line returns the breakdown line of rule in a mobility event.
func line(t *testing.T, ev Event, rule string) GrantLine {
	t.Helper()
	var g GrantBreakdown
	switch e := ev.(type) {
	case MobilityReported:
		g = e.Grant
	case MobilityCorrected:
		g = e.Grant
	default:
		t.Fatalf("event %T has no grant", ev)
	}
	var sum int64
	for _, l := range g.Lines {
		sum += l.AmountCents
	}
	if sum != g.TotalCents {
		t.Fatalf("lines sum to %d, total is %d", sum, g.TotalCents)
	}
	for _, l := range g.Lines {
		if l.Rule == rule {
			return l
		}
	}
	t.Fatalf("no line of rule %s in %+v", rule, g.Lines)
	return GrantLine{}
}

func wantLine(rule string, cents int64) func(t *testing.T, ev Event) {
	return func(t *testing.T, ev Event) {
		t.Helper()
		l := line(t, ev, rule)
		if cents >= 0 && l.AmountCents != cents {
			t.Fatalf("line %s is %d cents (%s), want %d", rule, l.AmountCents, l.Explanation, cents)
		}
		if l.Explanation == "" {
			t.Fatalf("line %s has no explanation", rule)
		}
	}
}

func budgetCases() []ruleCase {
	// One job shadowing of jobShadow costs 1 353 EUR with the 2022 rates.
	const shadow = 135_300
	amendGrant := func(cents int64) AmendProject {
		return AmendProject{ProjectID: testProject, AmendmentID: "AM1", AwardedCents: &cents, Justification: "budget revision"}
	}
	pay := func(kind string, cents int64) RecordPayment {
		return RecordPayment{ProjectID: testProject, PaymentID: "PAY-X", Kind: kind, AmountCents: cents}
	}
	ka2030 := cat(registered(), []Event{submitted("P26", ActionKA122, 2030, 1, "2030-06-01", "2031-08-31", 6_000_000)},
		running("P26", 5_000_000, "2030-05-20"))
	return []ruleCase{
		{name: "BUD-GRANT-CAP/report reaching the grant exactly allowed", given: ka122Awarded(shadow), now: "2023-01-01", cmd: report(jobShadow("M1"))},
		{name: "BUD-GRANT-CAP/report one cent over the grant refused", given: ka122Awarded(shadow - 1), now: "2023-01-01", rule: "BUD-GRANT-CAP", cmd: report(jobShadow("M1"))},
		// The issue-12 reproduction left a negative grant in history (int64
		// overflow); it counts as 0, so it opens no room under the cap.
		{name: "BUD-GRANT-CAP/negative grant from the old overflow leaves no room", given: ka122Awarded(shadow-1, mobEvent("M0", -1_844_674_407_370_955_161, nil)),
			now: "2023-01-01", rule: "BUD-GRANT-CAP", cmd: report(jobShadow("M1"))},
		{name: "BUD-GRANT-CAP/negative grant from the old overflow takes no room either", given: ka122Awarded(shadow, mobEvent("M0", -1_844_674_407_370_955_161, nil)),
			now: "2023-01-01", cmd: report(jobShadow("M1"))},
		{name: "BUD-GRANT-CAP/correction over the grant refused", given: ka122Awarded(shadow, mobEvent("M1", shadow, nil)), now: "2023-01-01", rule: "BUD-GRANT-CAP",
			cmd: CorrectMobility{ProjectID: testProject, Mobility: with(jobShadow("M1"), func(m *Mobility) { m.EndDate = MustDate("2022-09-10") })}},
		{name: "BUD-GRANT-CAP/correction within the grant allowed", given: ka122Awarded(shadow, mobEvent("M1", shadow, nil)), now: "2023-01-01",
			cmd: CorrectMobility{ProjectID: testProject, Mobility: jobShadow("M1")}},
		{name: "BUD-GRANT-CAP/amendment raising the grant allowed", given: ka122Awarded(shadow-1, mobEvent("M0", 0, nil)), now: "2023-01-01",
			cmd: amendGrant(shadow)},
		{name: "BUD-GRANT-CAP/amendment below the reported amount refused", given: ka122Awarded(shadow, mobEvent("M1", 100_000, nil)), now: "2023-01-01",
			rule: "BUD-GRANT-CAP", cmd: amendGrant(99_999)},
		{name: "BUD-GRANT-CAP/amendment down to the reported amount allowed", given: ka122Awarded(shadow, mobEvent("M1", 100_000, nil)), now: "2023-01-01",
			cmd: amendGrant(100_000)},
		{name: "BUD-GRANT-CAP/pre-financing of the whole grant allowed", given: ka122(), now: "2022-06-20", cmd: pay(PaymentPreFinancing, 5_000_000)},
		{name: "BUD-GRANT-CAP/pre-financing over the grant refused", given: ka122(), now: "2022-06-20", rule: "BUD-GRANT-CAP", cmd: pay(PaymentPreFinancing, 5_000_001)},
		{name: "BUD-GRANT-CAP/final grant over the awarded refused", now: "2023-10-01", rule: "BUD-GRANT-CAP",
			given: ka122(FinalReportSubmitted{ProjectID: testProject, OID: testOrg, SubmittedOn: MustDate("2023-09-10")}),
			cmd:   AssessFinalReport{ProjectID: testProject, Outcome: OutcomeReduced, FinalCents: 5_000_001}},

		{name: "BUD-TRAVEL-BAND/1 100 km in the 500-1999 km band", given: ka122(), now: "2023-01-01", cmd: report(jobShadow("M1")),
			check: wantLine("BUD-TRAVEL-BAND", 27_500)},
		{name: "BUD-TRAVEL-BAND/green travel gets the green amount", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.GreenTravel = true })), check: wantLine("BUD-TRAVEL-BAND", 32_000)},
		{name: "BUD-TRAVEL-BAND/499 km in the 100-499 km band", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.DistanceKm = 499 })), check: wantLine("BUD-TRAVEL-BAND", 18_000)},
		{name: "BUD-TRAVEL-BAND/500 km in the 500-1999 km band", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.DistanceKm = 500 })), check: wantLine("BUD-TRAVEL-BAND", 27_500)},
		{name: "BUD-TRAVEL-BAND/distance from Helsinki and Berlin coordinates", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) {
				m.DistanceKm, m.Origin, m.Destination = 0, &Place{Lat: 60.1699, Lon: 24.9384}, &Place{Lat: 52.52, Lon: 13.405}
			})),
			check: func(t *testing.T, ev Event) {
				if km := ev.(MobilityReported).DistanceKm; km < 1050 || km > 1150 {
					t.Fatalf("Helsinki-Berlin is about 1 100 km, got %d", km)
				}
				wantLine("BUD-TRAVEL-BAND", 27_500)(t, ev)
			}},
		{name: "BUD-TRAVEL-DAYS/2 ordinary travel days allowed", given: ka122(), now: "2023-01-01", cmd: report(jobShadow("M1"))},
		{name: "BUD-TRAVEL-DAYS/3 ordinary travel days refused", given: ka122(), now: "2023-01-01", rule: "BUD-TRAVEL-DAYS",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.TravelDays = 3 }))},
		{name: "BUD-TRAVEL-DAYS/6 green travel days allowed", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.TravelDays, m.GreenTravel = 6, true }))},
		{name: "BUD-TRAVEL-DAYS/7 green travel days refused", given: ka122(), now: "2023-01-01", rule: "BUD-TRAVEL-DAYS",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.TravelDays, m.GreenTravel = 7, true }))},
		{name: "BUD-INDIVIDUAL/7 days at the group 2 staff rate", given: ka122(), now: "2023-01-01", cmd: report(jobShadow("M1")),
			check: wantLine("BUD-INDIVIDUAL", 72_800)},
		{name: "BUD-EXC-TRAVEL/real cost of 1 000 EUR paid at 80 %", given: ka122(), now: "2023-01-01",
			cmd: report(with(jobShadow("M1"), func(m *Mobility) { m.RealTravelCostCents = 100_000 })),
			check: func(t *testing.T, ev Event) {
				var exc int64
				for _, l := range ev.(MobilityReported).Grant.Lines {
					if l.Rule == "BUD-EXC-TRAVEL" {
						exc += l.AmountCents
					}
				}
				if exc != 80_000 {
					t.Fatalf("exceptional costs %d, want 80 000 cents", exc)
				}
			}},
		{name: "BUD-PREP-VISIT/two persons at the unit cost", given: ka122(), now: "2023-01-01",
			cmd:   report(with(mobilityOf(catalog.CodePrepVisit, 2), func(m *Mobility) { m.Persons, m.DistanceKm, m.TravelDays = 2, 0, 0 })),
			check: wantLine("BUD-PREP-VISIT", 115_000)},
		{name: "BUD-RATES-DATA/call 2022 project uses the 2022 rates", given: ka122(), now: "2023-01-01", cmd: report(jobShadow("M1")),
			check: func(t *testing.T, ev Event) {
				if y := ev.(MobilityReported).Grant.CallYear; y != 2022 {
					t.Fatalf("grant of call year %d, want 2022", y)
				}
			}},
		{name: "BUD-RATES-DATA/call year without rates refused", given: ka2030, now: "2030-10-01", rule: "BUD-RATES-DATA",
			cmd: ReportMobility{ProjectID: "P26", Mobility: with(jobShadow("M1"), func(m *Mobility) {
				m.StartDate, m.EndDate = MustDate("2030-09-01"), MustDate("2030-09-05")
			})}},
	}
}

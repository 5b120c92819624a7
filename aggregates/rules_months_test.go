package aggregates

import "testing"

// issue14Cases gathers the rule cases of the rules added on 2026-12-06.
func issue14Cases() []ruleCase {
	return cat2(monthsCases(), deadlineCases(), participantCases(), orgSupportCases(), linguisticCases(), fieldCases(), ukraineListCases(), workPackageCases(), inclusionCases(), paymentCases())
}

// TestMonthsEnd proves DUR-MONTHS on the calendar's edges: the day before
// the same day number N months later, or that month's last day when it
// has no such day; never a day of the following month.
func TestMonthsEnd(t *testing.T) {
	for _, c := range []struct {
		name, start string
		n           int
		want        string
	}{
		{"DUR-MONTHS/6 months from 31 August end on the last day of February", "2026-08-31", 6, "2027-02-28"},
		{"DUR-MONTHS/6 months from 31 August end on 29 February in a leap year", "2027-08-31", 6, "2028-02-29"},
		{"DUR-MONTHS/6 months from 29 August end on 28 February in a common year", "2026-08-29", 6, "2027-02-28"},
		{"DUR-MONTHS/6 months from 28 August end on 27 February", "2026-08-28", 6, "2027-02-27"},
		{"DUR-MONTHS/6 months from 1 September end on 28 February", "2026-09-01", 6, "2027-02-28"},
		{"DUR-MONTHS/1 month from 31 January ends on 28 February", "2027-01-31", 1, "2027-02-28"},
		{"DUR-MONTHS/1 month from 31 March ends on 30 April", "2027-03-31", 1, "2027-04-30"},
		{"DUR-MONTHS/15 months from 1 June end on 31 August", "2022-06-01", 15, "2023-08-31"},
		{"DUR-MONTHS/24 months from 29 February end on 28 February", "2024-02-29", 24, "2026-02-28"},
		{"DUR-MONTHS/12 months from 31 December end on 30 December", "2026-12-31", 12, "2027-12-30"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := MonthsEnd(MustDate(c.start), c.n); got.String() != c.want {
				t.Fatalf("MonthsEnd(%s, %d) = %s, want %s", c.start, c.n, got, c.want)
			}
		})
	}
}

// TestAddMonthsNeverSpillsOver proves DUR-MONTHS for AddMonths: the same day
// number, or the month's last day.
func TestAddMonthsNeverSpillsOver(t *testing.T) {
	for _, c := range []struct {
		start string
		n     int
		want  string
	}{
		{"2026-08-31", 6, "2027-02-28"},
		{"2008-02-29", 12 * 18, "2026-02-28"},
		{"2026-01-31", -2, "2025-11-30"},
		{"2026-05-15", 3, "2026-08-15"},
	} {
		if got := MustDate(c.start).AddMonths(c.n); got.String() != c.want {
			t.Errorf("DUR-MONTHS: %s + %d months = %s, want %s", c.start, c.n, got, c.want)
		}
	}
}

func monthsCases() []ruleCase {
	reg := registered()
	from31Aug := func(end string) SubmitApplication {
		return with(submitKA122("P", 1), func(s *SubmitApplication) {
			s.StartDate, s.EndDate = MustDate("2022-08-31"), MustDate(end)
		})
	}
	ka210 := func(start, end string) SubmitApplication {
		return with(submitKA210(start, end), func(s *SubmitApplication) {})
	}
	ka122From31Aug := cat(reg, []Event{submitted(testProject, ActionKA122, 2022, 1, "2022-08-31", "2023-08-30", 6_000_000)},
		running(testProject, 5_000_000, "2022-05-20"))
	amendEnd := func(end string) AmendProject {
		return AmendProject{ProjectID: testProject, AmendmentID: "AM1", EndDate: MustDate(end), Justification: "shorter project"}
	}
	return []ruleCase{
		{name: "DUR-MONTHS/KA122 of 6 months from 31 August ending on 28 February allowed", given: reg, now: "2022-02-01", cmd: from31Aug("2023-02-28")},
		{name: "DUR-MONTHS/KA122 from 31 August ending on 27 February refused (KA122-DURATION)", given: reg, now: "2022-02-01",
			rule: "KA122-DURATION", cmd: from31Aug("2023-02-27")},
		{name: "DUR-MONTHS/KA122 of 18 months from 31 August ending on 29 February allowed", given: reg, now: "2022-02-01", cmd: from31Aug("2024-02-29")},
		{name: "DUR-MONTHS/KA122 from 31 August ending on 1 March after 18 months refused (KA122-DURATION)", given: reg, now: "2022-02-01",
			rule: "KA122-DURATION", cmd: from31Aug("2024-03-01")},
		{name: "DUR-MONTHS/KA210 of 6 months from 31 August ending on 28 February allowed", given: reg, now: "2022-03-01",
			cmd: ka210("2022-08-31", "2023-02-28")},
		{name: "DUR-MONTHS/KA210 from 31 August ending on 27 February refused (KA210-DURATION)", given: reg, now: "2022-03-01",
			rule: "KA210-DURATION", cmd: ka210("2022-08-31", "2023-02-27")},
		{name: "DUR-MONTHS/amendment to 6 months from 31 August allowed", given: ka122From31Aug, now: "2022-10-01", cmd: amendEnd("2023-02-28")},
		{name: "DUR-MONTHS/amendment to 6 months less a day from 31 August refused (KA122-DURATION)", given: ka122From31Aug, now: "2022-10-01",
			rule: "KA122-DURATION", cmd: amendEnd("2023-02-27")},
	}
}

package aggregates

// officeState folds reference events into the national office's portfolio.
func officeState(evs ...Event) Portfolio {
	return EvolveAll(NewPortfolio(OfficeOrg), evs)
}

// published is a call round the office published.
func published(year, round int, action, deadline string, fields ...string) CallRoundPublished {
	return CallRoundPublished{CallRound: CallRound{CallYear: year, Round: round, Action: action, Fields: fields, Deadline: MustDate(deadline)},
		PublishedOn: MustDate(deadline).AddDays(-90)}
}

// corrected is a correction of a round to deadline.
func corrected(year, round int, action, deadline string, fields ...string) CallRoundCorrected {
	return CallRoundCorrected{CallRound: CallRound{CallYear: year, Round: round, Action: action, Fields: fields, Deadline: MustDate(deadline)},
		Reason: "the call text says so"}
}

// referenceCases prove CALL-DEADLINE and CALL-START on rounds the national
// office published or corrected as events (issue 14), over the built-in
// table of section 8.
func referenceCases() []ruleCase {
	reg := registered()
	ka122 := func(year, round int, field, start string) SubmitApplication {
		s := MustDate(start)
		return with(submitKA122("P", round), func(c *SubmitApplication) {
			c.Field, c.CallYear, c.StartDate, c.EndDate = field, year, s, MonthsEnd(s, 12)
		})
	}
	r2027 := published(2027, 1, ActionKA122, "2027-02-18")
	window := with(r2027, func(e *CallRoundPublished) {
		e.StartFrom, e.StartTo = MustDate("2027-06-01"), MustDate("2027-12-31")
	})
	return []ruleCase{
		{name: "CALL-DEADLINE/2027 before the office publishes its round refused", given: reg, now: "2027-01-10", rule: "CALL-DEADLINE",
			cmd: ka122(2027, 1, FieldVET, "2027-06-01")},
		{name: "CALL-DEADLINE/published 2027 round at 12:00 CET on its deadline allowed", given: reg, ref: []Event{r2027}, now: "2027-02-18T11:00:00Z",
			cmd: ka122(2027, 1, FieldVET, "2027-06-01")},
		{name: "CALL-DEADLINE/published 2027 round one second after its deadline refused (round closed)", given: reg, ref: []Event{r2027}, now: "2027-02-18T11:00:01Z", rule: "CALL-DEADLINE",
			cmd: ka122(2027, 1, FieldVET, "2027-06-01")},
		{name: "CALL-DEADLINE/published 2027 round does not open round 2 refused", given: reg, ref: []Event{r2027}, now: "2027-01-10", rule: "CALL-DEADLINE",
			cmd: ka122(2027, 2, FieldVET, "2027-06-01")},
		{name: "CALL-DEADLINE/published round for VET only refuses school education", given: reg, ref: []Event{published(2027, 1, ActionKA122, "2027-02-18", FieldVET)}, now: "2027-01-10", rule: "CALL-DEADLINE",
			cmd: ka122(2027, 1, FieldSchool, "2027-06-01")},
		{name: "CALL-DEADLINE/built-in 2026 round 2 corrected to 10 December is open on 2026-12-06 allowed", given: reg,
			ref: []Event{corrected(2026, 2, ActionKA122, "2026-12-10", FieldVET, FieldAdult)}, now: "2026-12-06",
			cmd: ka122(2026, 2, FieldVET, "2027-01-01")},
		{name: "CALL-DEADLINE/built-in 2026 round 1 corrected earlier to 12 February refused on the 13th", given: reg,
			ref: []Event{corrected(2026, 1, ActionKA122, "2026-02-12")}, now: "2026-02-13T10:00:00Z", rule: "CALL-DEADLINE",
			cmd: ka122(2026, 1, FieldVET, "2026-06-01")},
		{name: "CALL-DEADLINE/correcting KA122 leaves KA121 of the same round at the built-in day allowed", given: cat(reg, accredited("ACC", FieldSchool, AccreditationSingle, "2021-01-15")),
			ref: []Event{corrected(2026, 1, ActionKA122, "2026-02-12")}, now: "2026-02-19T11:00:00Z",
			cmd: with(ka122(2026, 1, FieldSchool, "2026-06-01"), func(c *SubmitApplication) { c.Action = ActionKA121 })},
		{name: "CALL-DEADLINE/a second correction wins over the first refused", given: reg,
			ref: []Event{corrected(2026, 2, ActionKA122, "2026-12-10", FieldVET), corrected(2026, 2, ActionKA122, "2026-12-01", FieldVET)}, now: "2026-12-06", rule: "CALL-DEADLINE",
			cmd: ka122(2026, 2, FieldVET, "2027-01-01")},
		{name: "CALL-START/start on the window's first day allowed", given: reg, ref: []Event{window}, now: "2027-01-10",
			cmd: ka122(2027, 1, FieldVET, "2027-06-01")},
		{name: "CALL-START/start the day before the window refused", given: reg, ref: []Event{window}, now: "2027-01-10", rule: "CALL-START",
			cmd: ka122(2027, 1, FieldVET, "2027-05-31")},
		{name: "CALL-START/start on the window's last day allowed", given: reg, ref: []Event{window}, now: "2027-01-10",
			cmd: ka122(2027, 1, FieldVET, "2027-12-31")},
		{name: "CALL-START/start the day after the window refused", given: reg, ref: []Event{window}, now: "2027-01-10", rule: "CALL-START",
			cmd: ka122(2027, 1, FieldVET, "2028-01-01")},
	}
}

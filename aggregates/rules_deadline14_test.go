package aggregates

// deadlineCases prove the call deadlines of docs/rules.md section 8 as
// corrected on 2026-12-06 (CALL-DEADLINE): 12:00 Brussels time on the
// corrected days, accepted at 12:00:00 and refused a second later.
func deadlineCases() []ruleCase {
	reg := registered()
	ka1 := func(action, field string, year, round int, start string) SubmitApplication {
		s := MustDate(start)
		return with(submitKA122("P", round), func(c *SubmitApplication) {
			c.Action, c.Field, c.CallYear, c.StartDate, c.EndDate = action, field, year, s, MonthsEnd(s, 12)
		})
	}
	ka2 := func(action, field string, year, round int, start string) SubmitApplication {
		s := MustDate(start)
		base := submitKA210(start, MonthsEnd(s, 12).String())
		if action == ActionKA220 {
			base = submitKA220(start, MonthsEnd(s, 24).String())
		}
		return with(base, func(c *SubmitApplication) { c.Field, c.CallYear, c.Round = field, year, round })
	}
	accSchool := cat(reg, accredited("ACC-SCH", FieldSchool, AccreditationSingle, "2021-01-15"))
	return []ruleCase{
		{name: "CALL-DEADLINE/KA122 2023 at 12:00 CET on 23 February allowed", given: reg, now: "2023-02-23T11:00:00Z",
			cmd: ka1(ActionKA122, FieldSchool, 2023, 1, "2023-06-01")},
		{name: "CALL-DEADLINE/KA122 2023 one second after 12:00 CET on 23 February refused", given: reg, now: "2023-02-23T11:00:01Z", rule: "CALL-DEADLINE",
			cmd: ka1(ActionKA122, FieldSchool, 2023, 1, "2023-06-01")},
		{name: "CALL-DEADLINE/KA121 2023 at 12:00 CET on 23 February allowed", given: accSchool, now: "2023-02-23T11:00:00Z",
			cmd: ka1(ActionKA121, FieldSchool, 2023, 1, "2023-06-01")},
		{name: "CALL-DEADLINE/KA220 2023 extended: 12:00 CET on 24 March allowed", given: reg, now: "2023-03-24T11:00:00Z",
			cmd: ka2(ActionKA220, FieldVET, 2023, 1, "2023-09-01")},
		{name: "CALL-DEADLINE/KA220 2023 one second after 12:00 CET on 24 March refused", given: reg, now: "2023-03-24T11:00:01Z", rule: "CALL-DEADLINE",
			cmd: ka2(ActionKA220, FieldVET, 2023, 1, "2023-09-01")},
		{name: "CALL-DEADLINE/KA210 2023 extended: 12:00 CET on 24 March allowed", given: reg, now: "2023-03-24T11:00:00Z",
			cmd: ka2(ActionKA210, FieldAdult, 2023, 1, "2023-09-01")},
		{name: "CALL-DEADLINE/KA122 2026 at 12:00 CET on 19 February allowed", given: reg, now: "2026-02-19T11:00:00Z",
			cmd: ka1(ActionKA122, FieldVET, 2026, 1, "2026-06-01")},
		{name: "CALL-DEADLINE/KA122 2026 one second after 12:00 CET on 19 February refused", given: reg, now: "2026-02-19T11:00:01Z", rule: "CALL-DEADLINE",
			cmd: ka1(ActionKA122, FieldVET, 2026, 1, "2026-06-01")},
		{name: "CALL-DEADLINE/KA121 2026 on 24 February, the old wrong day, refused", given: accSchool, now: "2026-02-24T10:00:00Z", rule: "CALL-DEADLINE",
			cmd: ka1(ActionKA121, FieldSchool, 2026, 1, "2026-06-01")},
		{name: "CALL-DEADLINE/KA122 school education 2026 has no round 2 refused", given: reg, now: "2026-09-01", rule: "CALL-DEADLINE",
			cmd: ka1(ActionKA122, FieldSchool, 2026, 2, "2027-01-01")},
		{name: "CALL-DEADLINE/KA122 VET 2026 round 2 at 12:00 CEST on 1 October allowed", given: reg, now: "2026-10-01T10:00:00Z",
			cmd: ka1(ActionKA122, FieldVET, 2026, 2, "2027-01-01")},
		{name: "CALL-DEADLINE/KA210 adult education 2026 has no round 2 refused", given: reg, now: "2026-09-01", rule: "CALL-DEADLINE",
			cmd: ka2(ActionKA210, FieldAdult, 2026, 2, "2027-01-01")},
		{name: "CALL-DEADLINE/KA210 school education 2026 round 2 at 12:00 CEST on 1 October allowed", given: reg, now: "2026-10-01T10:00:00Z",
			cmd: ka2(ActionKA210, FieldSchool, 2026, 2, "2027-01-01")},
		{name: "CALL-DEADLINE/no round is open on 2026-12-06 refused", given: reg, now: "2026-12-06", rule: "CALL-DEADLINE",
			cmd: ka1(ActionKA122, FieldVET, 2026, 2, "2027-01-01")},
	}
}

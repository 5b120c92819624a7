package aggregates

import (
	"encoding/json"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"pgregory.net/rapid"
)

// tableJSON returns the built-in rates table of from as the table of
// callYear, changed by f.
func tableJSON(t testing.TB, from, callYear int, f func(*rates.Table)) json.RawMessage {
	t.Helper()
	src, err := testBook.Year(from)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(src)
	if err != nil {
		t.Fatal(err)
	}
	var c rates.Table
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c.CallYear = callYear
	if f != nil {
		f(&c)
	}
	out, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReferenceCommands proves the national office's commands on call
// rounds and rates tables: what each records and what each refuses.
func TestReferenceCommands(t *testing.T) {
	r2027 := CallRound{CallYear: 2027, Round: 1, Action: ActionKA122, Deadline: MustDate("2027-02-18")}
	confirmed := tableJSON(t, 2026, 2026, func(c *rates.Table) { c.Source, c.Confirmed = "Programme Guide 2026, confirmed by the office", true })
	for _, c := range []struct {
		name  string
		given []Event
		actor *Context
		cmd   Command
		code  apperr.Code
		field string
		check func(t *testing.T, ev Event)
	}{
		{name: "publish a 2027 round", cmd: PublishCallRound{CallRound: r2027}, check: func(t *testing.T, ev Event) {
			e := ev.(CallRoundPublished)
			if e.Deadline != r2027.Deadline || e.PublishedOn != MustDate("2026-12-06") {
				t.Fatalf("recorded %+v", e)
			}
		}},
		{name: "publish the 2027 round twice refused", given: []Event{CallRoundPublished{CallRound: r2027}}, cmd: PublishCallRound{CallRound: r2027}, code: apperr.Conflict, field: "round"},
		{name: "publish a built-in round refused (correct it instead)", cmd: PublishCallRound{CallRound: CallRound{CallYear: 2026, Round: 1, Action: ActionKA121, Deadline: MustDate("2026-02-20")}}, code: apperr.Conflict, field: "round"},
		{name: "correct a built-in round keeps the previous one", cmd: CorrectCallRound{CallRound: CallRound{CallYear: 2023, Round: 1, Action: ActionKA220, Deadline: MustDate("2023-03-24")}, Reason: "extended"},
			check: func(t *testing.T, ev Event) {
				e := ev.(CallRoundCorrected)
				if e.Previous.Deadline != MustDate("2023-03-24") || e.Previous.Action != ActionKA220 || e.Reason != "extended" {
					t.Fatalf("recorded %+v", e)
				}
			}},
		{name: "correct a round that does not exist refused", cmd: CorrectCallRound{CallRound: r2027, Reason: "typo"}, code: apperr.NotFound},
		{name: "correct without a reason refused", cmd: CorrectCallRound{CallRound: CallRound{CallYear: 2026, Round: 1, Action: ActionKA121, Deadline: MustDate("2026-02-19")}}, code: apperr.Invalid, field: "reason"},
		{name: "a start window ending before it begins refused", cmd: PublishCallRound{CallRound: with(r2027, func(r *CallRound) { r.StartFrom, r.StartTo = MustDate("2027-09-01"), MustDate("2027-06-01") })}, code: apperr.Invalid, field: "start_to"},
		{name: "an unknown action refused", cmd: PublishCallRound{CallRound: with(r2027, func(r *CallRound) { r.Action = "KA999" })}, code: apperr.Invalid, field: "action"},
		{name: "an unknown field refused", cmd: PublishCallRound{CallRound: with(r2027, func(r *CallRound) { r.Fields = []string{"space"} })}, code: apperr.Invalid, field: "fields[0]"},
		{name: "a round without a deadline refused", cmd: PublishCallRound{CallRound: with(r2027, func(r *CallRound) { r.Deadline = Date{} })}, code: apperr.Invalid, field: "deadline"},
		{name: "a beneficiary publishing a round refused", actor: &Context{Actor: beneficiary}, cmd: PublishCallRound{CallRound: r2027}, code: apperr.Forbidden},
		{name: "publish rates of 2028", cmd: PublishRatesTable{CallYear: 2028, Table: tableJSON(t, 2027, 2028, nil)}, check: func(t *testing.T, ev Event) {
			e := ev.(RatesTablePublished)
			if e.CallYear != 2028 || e.Confirmed || e.Source == "" {
				t.Fatalf("recorded %+v", e)
			}
		}},
		{name: "publish rates of a year with a built-in table refused", cmd: PublishRatesTable{CallYear: 2026, Table: confirmed}, code: apperr.Conflict, field: "call_year"},
		{name: "correct the rates of 2026 records source and confirmation", cmd: CorrectRatesTable{CallYear: 2026, Table: confirmed, Reason: "Programme Guide 2026 figures"},
			check: func(t *testing.T, ev Event) {
				e := ev.(RatesTableCorrected)
				if !e.Confirmed || e.PreviousConfirmed || e.PreviousSource == e.Source {
					t.Fatalf("recorded %+v", e)
				}
			}},
		{name: "correct the rates of a year without a table refused", cmd: CorrectRatesTable{CallYear: 2029, Table: tableJSON(t, 2027, 2029, nil), Reason: "r"}, code: apperr.NotFound},
		{name: "a table of another call year refused", cmd: PublishRatesTable{CallYear: 2028, Table: tableJSON(t, 2027, 2029, nil)}, code: apperr.Invalid, field: "table.call_year"},
		{name: "a table with a gap between distance bands refused", cmd: PublishRatesTable{CallYear: 2028, Table: tableJSON(t, 2027, 2028, func(c *rates.Table) { c.Travel.Bands[1].MinKm++ })}, code: apperr.Invalid},
		{name: "a table that is not JSON refused", cmd: PublishRatesTable{CallYear: 2028, Table: json.RawMessage(`{"call_year":`)}, code: apperr.Invalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := officeAt("2026-12-06")
			if c.actor != nil {
				ctx.Actor = c.actor.Actor
			}
			evs, err := testDomain().Decide(ctx, officeState(c.given...), c.cmd)
			if c.code != "" {
				ae := apperr.As(err)
				if err == nil || ae.Code != c.code || (c.field != "" && ae.Field != c.field) {
					t.Fatalf("got %v (code %q field %q), want code %q field %q", err, ae.Code, ae.Field, c.code, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d events", len(evs))
			}
			roundTrip(t, Registry(), evs[0])
			if c.check != nil {
				c.check(t, evs[0])
			}
			// The event is what the next decision sees.
			after := officeState(append(c.given, evs[0])...)
			if after.Reference.Empty() {
				t.Fatal("the event left no reference data")
			}
		})
	}
}

// TestPropertyRatesCorrectionNeverChangesAStoredGrant: whatever the
// corrected rates, a correction of the rates table changes no grant
// already computed; decisions taken after it (a new report) leave the
// stored grants as they were; only the office's RecomputeGrants changes
// them, to exactly what the corrected table computes, and a recomputation
// with unchanged rates changes nothing.
func TestPropertyRatesCorrectionNeverChangesAStoredGrant(t *testing.T) {
	base := testDomain()
	countries := []string{"DE", "FR", "ES", "SE", "IT"}
	rapid.Check(t, func(rt *rapid.T) {
		org := fold(ka122()...)
		n := rapid.IntRange(1, 6).Draw(rt, "mobilities")
		for i := 0; i < n; i++ {
			m := jobShadow("M" + string(rune('A'+i)))
			m.ParticipantID = "PART-" + string(rune('A'+rapid.IntRange(0, 2).Draw(rt, "participant")))
			m.EndDate = m.StartDate.AddDays(rapid.IntRange(1, 9).Draw(rt, "days"))
			m.DistanceKm = rapid.IntRange(10, 4000).Draw(rt, "km")
			m.ReceivingCountry = rapid.SampledFrom(countries).Draw(rt, "country")
			m.GreenTravel = rapid.Bool().Draw(rt, "green")
			evs, err := base.Decide(officeAt("2023-08-31"), org, report(m))
			if err != nil {
				rt.Fatalf("report refused: %v", err)
			}
			org = EvolveAll(org, evs)
		}
		stored := map[string]GrantBreakdown{}
		for id, r := range org.Projects[testProject].Mobilities {
			stored[id] = r.Grant
		}
		unchanged := func(p Portfolio, when string) {
			for id, g := range stored {
				if got := p.Projects[testProject].Mobilities[id].Grant; !sameGrant(got, g) || got.TotalCents != g.TotalCents {
					rt.Fatalf("%s: the grant of %s changed from %d to %d cents", when, id, g.TotalCents, got.TotalCents)
				}
			}
		}

		// With unchanged rates, a recomputation changes nothing.
		same, err := base.Decide(officeAt("2023-08-31"), org, RecomputeGrants{ProjectID: testProject, Reason: "check"})
		if err != nil {
			rt.Fatalf("recompute refused: %v", err)
		}
		if len(same) != 1 || same[0].(GrantsRecomputed).Changed != 0 {
			rt.Fatalf("a recomputation with the same rates recorded %d events: %+v", len(same), same)
		}
		unchanged(EvolveAll(org, same), "a recomputation with the same rates")

		pct := int64(rapid.IntRange(50, 200).Draw(rt, "percent"))
		table := tableJSON(t, 2022, 2022, func(c *rates.Table) {
			c.Source = "corrected"
			for i := range c.Travel.Bands {
				c.Travel.Bands[i].StandardCents = c.Travel.Bands[i].StandardCents * pct / 100
				c.Travel.Bands[i].GreenCents = c.Travel.Bands[i].GreenCents * pct / 100
			}
			for i := range c.IndividualSupport.Rates {
				r := &c.IndividualSupport.Rates[i]
				r.DailyCents = r.DailyCents * pct / 100
				r.ReducedDailyCents = r.ReducedDailyCents * pct / 100
			}
		})
		office := officeState()
		evs, err := base.Decide(officeAt("2023-09-01"), office, CorrectRatesTable{CallYear: 2022, Table: table, Reason: "property"})
		if err != nil {
			rt.Fatalf("correction refused: %v", err)
		}
		office = EvolveAll(office, evs)
		unchanged(EvolveAll(org, evs), "the correction folded into the organisation")
		corrected := base.WithReference(office.Reference)

		// Decisions after the correction leave the stored grants alone.
		if rapid.Bool().Draw(rt, "report after") {
			m := jobShadow("MZ")
			if evs, err := corrected.Decide(officeAt("2023-09-01"), org, report(m)); err == nil {
				org = EvolveAll(org, evs)
			}
		}
		unchanged(org, "a report after the correction")
		for id := range org.Projects[testProject].Mobilities {
			if _, ok := stored[id]; !ok {
				stored[id] = org.Projects[testProject].Mobilities[id].Grant
			}
		}

		// The office decides to recompute: the grants follow the table.
		re, err := corrected.Decide(officeAt("2023-09-02"), org, RecomputeGrants{ProjectID: testProject, Reason: "rates corrected"})
		if err != nil {
			rt.Fatalf("recompute refused: %v", err)
		}
		after := EvolveAll(org, re)
		head := re[0].(GrantsRecomputed)
		pr := after.Projects[testProject]
		if head.ReportedCents != pr.ReportedCents || head.PreviousReportedCents != org.Projects[testProject].ReportedCents || head.Changed != len(re)-1 {
			rt.Fatalf("GrantsRecomputed %+v does not match the project (reported %d)", head, pr.ReportedCents)
		}
		tbl, _ := corrected.table(2022)
		for id, r := range pr.Mobilities {
			want, err := grantOf(tbl, pr, r.Mobility, r.DistanceKm)
			if err != nil {
				rt.Fatal(err)
			}
			if want.TotalCents != r.Grant.TotalCents {
				rt.Fatalf("after recomputation %s has %d cents, the corrected table computes %d", id, r.Grant.TotalCents, want.TotalCents)
			}
		}
		if pct != 100 && head.Changed == 0 {
			rt.Fatalf("rates scaled to %d%% changed no grant", pct)
		}
	})
}

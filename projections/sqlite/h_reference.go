package sqlite

import (
	"encoding/json"
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// refStmts are the statements of the reference data's tables (migration
// 0006), prepared when the first reference event is applied.
type refStmts struct {
	roundPut, ratesPut *wstmt
}

func (a *applier) refs() (*refStmts, error) {
	if a.ref != nil {
		return a.ref, nil
	}
	r := &refStmts{}
	for _, d := range []struct {
		dst **wstmt
		sql string
	}{
		{&r.roundPut, "INSERT OR REPLACE INTO call_rounds (call_year, round, action, fields, deadline, start_from, start_to, origin, " +
			"previous_deadline, reason, changed_on, sequence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
		{&r.ratesPut, "INSERT INTO rates_tables (call_year, source, confirmed, corrections, table_json, reason, changed_on, sequence) " +
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_year) DO UPDATE SET source = excluded.source, confirmed = excluded.confirmed, " +
			"corrections = corrections + excluded.corrections, table_json = excluded.table_json, reason = excluded.reason, " +
			"changed_on = excluded.changed_on, sequence = excluded.sequence"},
	} {
		s, err := a.w.prepare(d.sql)
		if err != nil {
			return nil, err
		}
		*d.dst = s
	}
	a.ref = r
	return r, nil
}

// registerReferenceHandlers projects the national office's reference data.
func registerReferenceHandlers(hs map[string]*handler) {
	on(hs, func(a *applier, env *events.Envelope, e *aggregates.CallRoundPublished) error {
		return putRound(a, env, e.CallRound, "published", "", "", e.PublishedOn)
	}, func(_ *events.Envelope, e *aggregates.CallRoundPublished) string {
		return fmt.Sprintf("Call %d round %d of %s published: deadline %s%s", e.CallYear, e.Round, e.Action, e.Deadline, fieldsNote(e.Fields))
	})
	on(hs, func(a *applier, env *events.Envelope, e *aggregates.CallRoundCorrected) error {
		return putRound(a, env, e.CallRound, "corrected", e.Previous.Deadline.String(), e.Reason, e.CorrectedOn)
	}, func(_ *events.Envelope, e *aggregates.CallRoundCorrected) string {
		return fmt.Sprintf("Call %d round %d of %s corrected: deadline %s (was %s)%s", e.CallYear, e.Round, e.Action, e.Deadline, e.Previous.Deadline, fieldsNote(e.Fields))
	})
	on(hs, func(a *applier, env *events.Envelope, e *aggregates.RatesTablePublished) error {
		return putRates(a, env, e.CallYear, e.Source, e.Confirmed, 0, e.Table, "", e.PublishedOn)
	}, func(_ *events.Envelope, e *aggregates.RatesTablePublished) string {
		return fmt.Sprintf("Rates table of call %d published (%s)", e.CallYear, confirmedNote(e.Confirmed))
	})
	on(hs, func(a *applier, env *events.Envelope, e *aggregates.RatesTableCorrected) error {
		return putRates(a, env, e.CallYear, e.Source, e.Confirmed, 1, e.Table, e.Reason, e.CorrectedOn)
	}, func(_ *events.Envelope, e *aggregates.RatesTableCorrected) string {
		return fmt.Sprintf("Rates table of call %d corrected (%s); grants already computed keep their amounts", e.CallYear, confirmedNote(e.Confirmed))
	})
	// The changed grants follow as MobilityCorrected events; this one is
	// the office's decision, kept in the audit log.
	on(hs, func(*applier, *events.Envelope, *aggregates.GrantsRecomputed) error { return nil },
		func(_ *events.Envelope, e *aggregates.GrantsRecomputed) string {
			return fmt.Sprintf("Grants of project %s recomputed with the rates of call %d: %d mobilities changed, reported %s -> %s",
				e.ProjectID, e.CallYear, e.Changed, eurosText(e.PreviousReportedCents), eurosText(e.ReportedCents))
		})
}

func putRound(a *applier, env *events.Envelope, r aggregates.CallRound, origin, previous, reason string, on aggregates.Date) error {
	st, err := a.refs()
	if err != nil {
		return err
	}
	fields := r.Fields
	if fields == nil {
		fields = []string{}
	}
	fj, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return st.roundPut.exec(int64(r.CallYear), int64(r.Round), r.Action, string(fj), r.Deadline.String(), dateOrEmpty(r.StartFrom),
		dateOrEmpty(r.StartTo), origin, previous, reason, on.String(), int64(env.Sequence))
}

func putRates(a *applier, env *events.Envelope, year int, source string, confirmed bool, corrections int64, table json.RawMessage, reason string, on aggregates.Date) error {
	st, err := a.refs()
	if err != nil {
		return err
	}
	c := int64(0)
	if confirmed {
		c = 1
	}
	return st.ratesPut.exec(int64(year), source, c, corrections, string(table), reason, on.String(), int64(env.Sequence))
}

func dateOrEmpty(d aggregates.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func fieldsNote(fields []string) string {
	if len(fields) == 0 {
		return ""
	}
	b, _ := json.Marshal(fields)
	return " (fields " + string(b) + ")"
}

func confirmedNote(c bool) string {
	if c {
		return "confirmed"
	}
	return "unconfirmed"
}

// eurosText renders cents as euros for a summary.
func eurosText(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d EUR", sign, cents/100, cents%100)
}

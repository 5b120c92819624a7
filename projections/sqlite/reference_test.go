package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// TestReferenceDataIsProjected: published and corrected call rounds and
// rates tables land in call_rounds and rates_tables (migration 0006), and
// the audit log has the office's events.
func TestReferenceDataIsProjected(t *testing.T) {
	s := openStore(t, aggregates.Registry())
	ctx := testCtx(t)
	meta := events.Meta{Actor: events.Actor{UserID: "u", Role: aggregates.RoleNationalOffice}, RecordedAt: testTime}
	calls := events.Ref{Org: aggregates.OfficeOrg, Kind: aggregates.KindCalls, ID: "2027"}
	round := aggregates.CallRound{CallYear: 2027, Round: 1, Action: aggregates.ActionKA122, Deadline: aggregates.MustDate("2027-02-18"),
		StartFrom: aggregates.MustDate("2027-06-01")}
	fixed := round
	fixed.Deadline, fixed.Fields = aggregates.MustDate("2027-02-25"), []string{aggregates.FieldVET}
	if _, err := s.Append(ctx, events.AppendRequest{Ref: calls, Meta: meta, Events: []events.Draft{
		{Payload: aggregates.CallRoundPublished{CallRound: round, PublishedOn: aggregates.MustDate("2026-12-06")}, OccurredAt: testTime},
		{Payload: aggregates.CallRoundCorrected{CallRound: fixed, Previous: round, Reason: "extended", CorrectedOn: aggregates.MustDate("2026-12-07")}, OccurredAt: testTime},
	}}); err != nil {
		t.Fatal(err)
	}
	rates := events.Ref{Org: aggregates.OfficeOrg, Kind: aggregates.KindRates, ID: "2028"}
	if _, err := s.Append(ctx, events.AppendRequest{Ref: rates, Meta: meta, Events: []events.Draft{
		{Payload: aggregates.RatesTablePublished{CallYear: 2028, Source: "PG 2028", Table: []byte(`{"call_year":2028}`), PublishedOn: aggregates.MustDate("2026-12-06")}, OccurredAt: testTime},
		{Payload: aggregates.RatesTableCorrected{CallYear: 2028, Source: "PG 2028 confirmed", Confirmed: true, Table: []byte(`{"call_year":2028,"x":1}`), Reason: "confirmed", CorrectedOn: aggregates.MustDate("2026-12-08")}, OccurredAt: testTime},
	}}); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	if got := catchUp(t, db, s, ProjectorConfig{}); got != 4 {
		t.Fatalf("caught up to %d, want 4", got)
	}
	rows, err := db.query(ctx, "SELECT deadline, fields, start_from, start_to, origin, previous_deadline, reason FROM call_rounds")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for rows.Next() {
		n++
		var dl, fields, from, to, origin, prev, reason string
		if err := rows.Scan(&dl, &fields, &from, &to, &origin, &prev, &reason); err != nil {
			t.Fatal(err)
		}
		if dl != "2027-02-25" || fields != `["vet"]` || from != "2027-06-01" || to != "" || origin != "corrected" || prev != "2027-02-18" || reason != "extended" {
			t.Fatalf("call_rounds row: %s %s %s %q %s %s %s", dl, fields, from, to, origin, prev, reason)
		}
	}
	rows.Close()
	if n != 1 {
		t.Fatalf("%d call_rounds rows, want 1", n)
	}
	var source, table string
	var confirmed, corrections int
	r2, err := db.query(ctx, "SELECT source, confirmed, corrections, table_json FROM rates_tables WHERE call_year = 2028")
	if err != nil {
		t.Fatal(err)
	}
	if !r2.Next() {
		t.Fatal("no rates_tables row")
	}
	if err := r2.Scan(&source, &confirmed, &corrections, &table); err != nil {
		t.Fatal(err)
	}
	r2.Close()
	if source != "PG 2028 confirmed" || confirmed != 1 || corrections != 1 || table != `{"call_year":2028,"x":1}` {
		t.Fatalf("rates_tables row: %s %d %d %s", source, confirmed, corrections, table)
	}
}

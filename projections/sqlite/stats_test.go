package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// section7 are the accreditation figures of docs/rules.md section 7 (seed 003):
// year, field, applied, of which consortia, granted organisations, granted
// consortia.
var section7 = []projections.AccreditationStatsRow{
	{Year: 2020, Field: aggregates.FieldAdult, Applied: 11, AppliedConsortia: 2, GrantedOrganisations: 7, GrantedConsortia: 2},
	{Year: 2020, Field: aggregates.FieldSchool, Applied: 69, AppliedConsortia: 14, GrantedOrganisations: 39, GrantedConsortia: 11},
	{Year: 2021, Field: aggregates.FieldAdult, Applied: 10, AppliedConsortia: 0, GrantedOrganisations: 6, GrantedConsortia: 0},
	{Year: 2021, Field: aggregates.FieldSchool, Applied: 58, AppliedConsortia: 8, GrantedOrganisations: 44, GrantedConsortia: 6},
}

// appendSection7 records, as events, one organisation per application of
// section 7: its registration and its accreditation application in October
// of the year, then the national office's decisions in February of the next
// year, in the order they happened.
func appendSection7(t *testing.T, s events.Store) {
	ctx := testCtx(t)
	type app struct {
		ref     events.Ref
		head    events.Head
		accID   string
		row     projections.AccreditationStatsRow
		kind    string
		granted bool
	}
	n := 0
	for _, year := range []int{2020, 2021} {
		var apps []*app
		for _, row := range section7 {
			if row.Year != year {
				continue
			}
			for i := int64(0); i < row.Applied; i++ {
				n++
				oid := fmt.Sprintf("E%08d", 90_000_000+n)
				a := &app{ref: events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid}, row: row,
					accID: fmt.Sprintf("%d-1-FI01-KA120-%06d", year, n)}
				if singles := row.Applied - row.AppliedConsortia; i < singles {
					a.kind, a.granted = aggregates.AccreditationSingle, i < row.GrantedOrganisations
				} else {
					a.kind, a.granted = aggregates.AccreditationConsortium, i-singles < row.GrantedConsortia
				}
				applied := aggregates.NewDate(year, time.October, 1+n%28)
				rec := applied.Time().Add(10 * time.Hour)
				meta := events.Meta{Actor: events.Actor{UserID: "oph", Role: aggregates.RoleNationalOffice}, RecordedAt: rec}
				envs, err := s.Append(ctx, events.AppendRequest{Ref: a.ref, Meta: meta, Events: []events.Draft{
					{Payload: aggregates.OrganisationRegistered{OID: oid, LegalName: "Organisation " + oid, Country: "FI", City: "Helsinki",
						Kind: aggregates.OrgSchool}, OccurredAt: rec},
					{Payload: aggregates.AccreditationApplied{OID: oid, AccreditationID: a.accID, Field: row.Field, Kind: a.kind, AppliedOn: applied,
						StrategyAttached: true, Plan: aggregates.ErasmusPlan{FromYear: year + 1, ToYear: year + 3,
							Objectives: []aggregates.Objective{{Text: "Internationalise", Indicators: []string{"mobilities"}}}}}, OccurredAt: rec},
				}})
				if err != nil {
					t.Fatal(err)
				}
				a.head = events.HeadOf(envs[1])
				apps = append(apps, a)
			}
		}
		decided := aggregates.NewDate(year+1, time.February, 15)
		meta := events.Meta{Actor: events.Actor{UserID: "oph", Role: aggregates.RoleNationalOffice}, RecordedAt: decided.Time().Add(9 * time.Hour)}
		for _, a := range apps {
			outcome := aggregates.OutcomeRejected
			if a.granted {
				outcome = aggregates.OutcomeGranted
			}
			if _, err := s.Append(ctx, events.AppendRequest{Ref: a.ref, Expected: a.head, Meta: meta, Events: []events.Draft{
				{Payload: aggregates.AccreditationDecided{OID: a.ref.ID, AccreditationID: a.accID, Field: a.row.Field, Kind: a.kind,
					Outcome: outcome, DecidedOn: decided}, OccurredAt: meta.RecordedAt},
			}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// section7Of returns the statistics in the shape of section 7.
func section7Of(t *testing.T, r projections.Reader) []projections.AccreditationStatsRow {
	t.Helper()
	rows, err := r.AccreditationStats(context.Background(), projections.AccreditationStatsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if rows[i].Pending != 0 || rows[i].Rejected != rows[i].Applied-rows[i].GrantedOrganisations-rows[i].GrantedConsortia {
			t.Errorf("%d %s: %d pending, %d rejected", rows[i].Year, rows[i].Field, rows[i].Pending, rows[i].Rejected)
		}
		rows[i].Rejected, rows[i].Pending = 0, 0
	}
	return rows
}

func TestSection7AccreditationFiguresComeOutOfReplayedEvents(t *testing.T) {
	s := openStore(t, testRegistry)
	dir := t.TempDir()
	m := openManager(t, filepath.Join(dir, "grants.db"), s)
	appendSection7(t, s)
	waitCaughtUp(t, m, s)
	if got := section7Of(t, m); !reflect.DeepEqual(got, section7) {
		t.Fatalf("live statistics:\n got %+v\nwant %+v", got, section7)
	}
	// Replayed into a new file, the same figures come out.
	out := filepath.Join(dir, "replayed.db")
	if _, err := Rebuild(testCtx(t), s, out, Until{}, nil); err != nil {
		t.Fatal(err)
	}
	if got := section7Of(t, openDB(t, out)); !reflect.DeepEqual(got, section7) {
		t.Fatalf("replayed statistics:\n got %+v\nwant %+v", got, section7)
	}
	// As they stood at the end of 2020: the 2020 applications, none decided yet.
	past := filepath.Join(dir, "end-of-2020.db")
	if _, err := Rebuild(testCtx(t), s, past, Until{Time: time.Date(2020, 12, 31, 23, 59, 59, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := openDB(t, past).AccreditationStats(context.Background(), projections.AccreditationStatsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Applied != 11 || rows[0].Pending != 11 || rows[1].Applied != 69 || rows[1].Pending != 69 {
		t.Fatalf("at the end of 2020: %+v", rows)
	}
}

func TestMobilityStatisticsGroupByAndAddUp(t *testing.T) {
	s := openStore(t, testRegistry)
	generate(t, s, 1500)
	db := openDB(t, filepath.Join(t.TempDir(), "grants.db"))
	catchUp(t, db, s, ProjectorConfig{})
	ctx := context.Background()
	all, err := db.MobilityStats(ctx, projections.MobilityStatsFilter{GroupBy: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	byCountry, err := db.MobilityStats(ctx, projections.MobilityStatsFilter{GroupBy: []string{projections.DimReceivingCountry, projections.DimGreenTravel}})
	if err != nil {
		t.Fatal(err)
	}
	var total, sumAll int64
	for _, r := range all {
		total += r.Mobilities
	}
	for _, r := range byCountry {
		if r.ReceivingCountry == "" || r.GreenTravel == nil || r.Action != "" {
			t.Fatalf("row not grouped as asked: %+v", r)
		}
		sumAll += r.Mobilities
	}
	var live int64
	db.r.QueryRow("SELECT COUNT(*) FROM mobilities WHERE status != 'cancelled'").Scan(&live)
	if total != live || sumAll != live || live == 0 {
		t.Fatalf("statistics count %d and %d mobilities, the read model %d", total, sumAll, live)
	}
	if _, err := db.MobilityStats(ctx, projections.MobilityStatsFilter{GroupBy: []string{"participant_name"}}); err == nil {
		t.Fatal("grouping by an unknown dimension was accepted")
	}
}

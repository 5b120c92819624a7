package sqlite

import (
	"context"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
)

// fromTotals stores the float sums of SQLite's TOTAL() in dest and reports
// whether any was saturated. SUM() of integers fails the whole query with
// "integer overflow" once a sum passes int64, which amounts stored before
// they were bounded can make (statistics then answered 500 for everyone);
// TOTAL() never fails, is exact up to 2^53 and beyond that is saturated at
// ±2^53 and flagged on the row.
func fromTotals(sums []float64, dest ...*int64) bool {
	saturated := false
	for i, f := range sums {
		v, sat := money.FromTotal(f)
		*dest[i] = v
		saturated = saturated || sat
	}
	return saturated
}

// MobilityStats implements projections.Reader: it sums stat_mobilities
// over the dimensions not grouped by.
func (db *DB) MobilityStats(ctx context.Context, f projections.MobilityStatsFilter) ([]projections.MobilityStatsRow, error) {
	group := f.GroupBy
	if len(group) == 0 {
		group = []string{projections.DimCallYear, projections.DimAction, projections.DimField}
	}
	known := map[string]bool{}
	for _, d := range projections.MobilityDimensions {
		known[d] = true
	}
	seen := map[string]bool{}
	var dims []string
	for _, d := range group {
		if !known[d] {
			return nil, apperr.InvalidField("group_by", "%q is not a dimension; use %s", d, strings.Join(projections.MobilityDimensions, ", "))
		}
		if !seen[d] {
			seen[d] = true
			dims = append(dims, d)
		}
	}
	var w where
	w.add(f.CallYear != 0, "call_year = ?", f.CallYear)
	w.add(f.Action != "", "action = ?", f.Action)
	w.add(f.Field != "", "field = ?", f.Field)
	w.add(f.Activity != "", "activity = ?", f.Activity)
	w.add(f.SendingCountry != "", "sending_country = ?", f.SendingCountry)
	w.add(f.ReceivingCountry != "", "receiving_country = ?", f.ReceivingCountry)
	list := strings.Join(dims, ", ")
	rows, err := db.query(ctx, "SELECT "+list+", TOTAL(mobilities), TOTAL(participants), TOTAL(accompanying), TOTAL(days), TOTAL(grant_cents) "+
		"FROM stat_mobilities "+w.sql()+" GROUP BY "+list+" ORDER BY "+list, w.args...)
	if err != nil {
		return nil, queryErr(err, "the mobility statistics")
	}
	defer rows.Close()
	out := []projections.MobilityStatsRow{}
	for rows.Next() {
		var r projections.MobilityStatsRow
		dest := make([]any, 0, len(dims)+5)
		for _, d := range dims {
			switch d {
			case projections.DimCallYear:
				dest = append(dest, &r.CallYear)
			case projections.DimAction:
				dest = append(dest, &r.Action)
			case projections.DimField:
				dest = append(dest, &r.Field)
			case projections.DimActivity:
				dest = append(dest, &r.Activity)
			case projections.DimSendingCountry:
				dest = append(dest, &r.SendingCountry)
			case projections.DimReceivingCountry:
				dest = append(dest, &r.ReceivingCountry)
			case projections.DimGreenTravel:
				r.GreenTravel = new(bool)
				dest = append(dest, r.GreenTravel)
			case projections.DimFewerOpportunities:
				r.FewerOpportunities = new(bool)
				dest = append(dest, r.FewerOpportunities)
			case projections.DimUkraineException:
				r.UkraineException = new(bool)
				dest = append(dest, r.UkraineException)
			}
		}
		var sums [5]float64
		dest = append(dest, &sums[0], &sums[1], &sums[2], &sums[3], &sums[4])
		if err := rows.Scan(dest...); err != nil {
			return nil, queryErr(err, "the mobility statistics")
		}
		r.Saturated = fromTotals(sums[:], &r.Mobilities, &r.Participants, &r.Accompanying, &r.Days, &r.GrantCents)
		out = append(out, r)
	}
	return out, queryErr(rows.Err(), "the mobility statistics")
}

// AccreditationStats implements projections.Reader.
func (db *DB) AccreditationStats(ctx context.Context, f projections.AccreditationStatsFilter) ([]projections.AccreditationStatsRow, error) {
	var w where
	w.add(f.Year != 0, "year = ?", f.Year)
	w.add(f.Field != "", "field = ?", f.Field)
	rows, err := db.query(ctx, "SELECT year, field, applied, applied_consortia, granted_organisations, granted_consortia, rejected, pending "+
		"FROM stat_accreditation_summary "+w.sql()+" ORDER BY year, field", w.args...)
	if err != nil {
		return nil, queryErr(err, "the accreditation statistics")
	}
	defer rows.Close()
	out := []projections.AccreditationStatsRow{}
	for rows.Next() {
		var r projections.AccreditationStatsRow
		if err := rows.Scan(&r.Year, &r.Field, &r.Applied, &r.AppliedConsortia, &r.GrantedOrganisations, &r.GrantedConsortia,
			&r.Rejected, &r.Pending); err != nil {
			return nil, queryErr(err, "the accreditation statistics")
		}
		out = append(out, r)
	}
	return out, queryErr(rows.Err(), "the accreditation statistics")
}

// ProjectStats implements projections.Reader.
func (db *DB) ProjectStats(ctx context.Context, f projections.ProjectStatsFilter) ([]projections.ProjectStatsRow, error) {
	var w where
	w.add(f.CallYear != 0, "call_year = ?", f.CallYear)
	w.add(f.Action != "", "action = ?", f.Action)
	w.add(f.Field != "", "field = ?", f.Field)
	rows, err := db.query(ctx, "SELECT call_year, action, field, status, COUNT(*), TOTAL(requested_cents), TOTAL(awarded_cents), "+
		"TOTAL(reported_cents), TOTAL(paid_cents) FROM projects "+w.sql()+" GROUP BY call_year, action, field, status "+
		"ORDER BY call_year, action, field, status", w.args...)
	if err != nil {
		return nil, queryErr(err, "the project statistics")
	}
	defer rows.Close()
	out := []projections.ProjectStatsRow{}
	for rows.Next() {
		var r projections.ProjectStatsRow
		var sums [4]float64
		if err := rows.Scan(&r.CallYear, &r.Action, &r.Field, &r.Status, &r.Projects, &sums[0], &sums[1], &sums[2], &sums[3]); err != nil {
			return nil, queryErr(err, "the project statistics")
		}
		r.Saturated = fromTotals(sums[:], &r.RequestedCents, &r.AwardedCents, &r.ReportedCents, &r.PaidCents)
		out = append(out, r)
	}
	return out, queryErr(rows.Err(), "the project statistics")
}

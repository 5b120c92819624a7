package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/projections"
)

var _ projections.Reader = (*DB)(nil)

// queryErr turns a database error into an application error.
func queryErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.Wrap(apperr.Unavailable, err, "reading %s took too long", what)
	}
	return apperr.Wrap(apperr.Internal, err, "reading %s failed", what)
}

// query runs a read query on the read pool, prepared once per connection
// (stmtCache).
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r, err := db.reader()
	if err != nil {
		return nil, err
	}
	s, err := db.stmts.get(ctx, r, q)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return r.QueryContext(ctx, q, args...)
	}
	return s.QueryContext(ctx, args...)
}

// parseTime reads an RFC 3339 column.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Organisation implements projections.Reader.
func (db *DB) Organisation(ctx context.Context, oid string) (projections.OrganisationView, error) {
	page, err := db.organisations(ctx, "WHERE oid = ?", []any{oid}, 1)
	if err != nil {
		return projections.OrganisationView{}, queryErr(err, "the organisation")
	}
	if len(page) == 0 {
		return projections.OrganisationView{}, apperr.New(apperr.NotFound, "organisation %s is not known to the ledger", oid)
	}
	if err := db.attachAccreditations(ctx, page); err != nil {
		return projections.OrganisationView{}, err
	}
	return page[0], nil
}

// attachAccreditations fills in the accreditations of orgs with one query.
func (db *DB) attachAccreditations(ctx context.Context, orgs []projections.OrganisationView) error {
	if len(orgs) == 0 {
		return nil
	}
	index := make(map[string]int, len(orgs))
	args := make([]any, len(orgs))
	for i, o := range orgs {
		index[o.OID] = i
		args[i] = o.OID
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",")
	rows, err := db.query(ctx, "SELECT "+accViewCols+" FROM accreditations WHERE org IN ("+marks+") ORDER BY org, year, id", args...)
	if err != nil {
		return queryErr(err, "the accreditations")
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccreditation(rows)
		if err != nil {
			return queryErr(err, "the accreditations")
		}
		if i, ok := index[a.Org]; ok {
			orgs[i].Accreditations = append(orgs[i].Accreditations, a)
		}
	}
	return queryErr(rows.Err(), "the accreditations")
}

const accViewCols = "id, org, field, kind, year, status, outcome, plan_from_year, plan_to_year, applied_on, decided_on, withdrawn_on, sequence"

func scanAccreditation(rows *sql.Rows) (projections.AccreditationView, error) {
	var a projections.AccreditationView
	err := rows.Scan(&a.ID, &a.Org, &a.Field, &a.Kind, &a.Year, &a.Status, &a.Outcome, &a.PlanFromYear, &a.PlanToYear,
		&a.AppliedOn, &a.DecidedOn, &a.WithdrawnOn, &a.Sequence)
	return a, err
}

// organisations runs a query over organisations.
func (db *DB) organisations(ctx context.Context, where string, args []any, limit int) ([]projections.OrganisationView, error) {
	rows, err := db.query(ctx, "SELECT oid, name, country, city, kind, registered_at, project_count, version, sequence FROM organisations "+
		where+" ORDER BY oid LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []projections.OrganisationView{}
	for rows.Next() {
		var o projections.OrganisationView
		var reg string
		if err := rows.Scan(&o.OID, &o.Name, &o.Country, &o.City, &o.Kind, &reg, &o.ProjectCount, &o.Version, &o.Sequence); err != nil {
			return nil, err
		}
		o.RegisteredAt = parseTime(reg)
		o.Accreditations = []projections.AccreditationView{}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Organisations implements projections.Reader.
func (db *DB) Organisations(ctx context.Context, f projections.OrganisationFilter) (projections.OrganisationPage, error) {
	after, err := decodeCursor(f.Cursor, 1)
	if err != nil {
		return projections.OrganisationPage{}, err
	}
	var w where
	w.add(f.Country != "", "country = ?", f.Country)
	if after != nil {
		w.add(true, "oid > ?", after[0])
	}
	limit := f.EffectiveLimit()
	items, err := db.organisations(ctx, w.sql(), w.args, limit+1)
	if err != nil {
		return projections.OrganisationPage{}, queryErr(err, "the organisations")
	}
	page := projections.OrganisationPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = encodeCursor(items[limit-1].OID)
	}
	if err := db.attachAccreditations(ctx, page.Items); err != nil {
		return projections.OrganisationPage{}, err
	}
	return page, nil
}

// where builds a WHERE clause.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond bool, sql string, args ...any) {
	if cond {
		w.conds = append(w.conds, sql)
		w.args = append(w.args, args...)
	}
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return "WHERE " + strings.Join(w.conds, " AND ")
}

// projectViewCols are the columns of a ProjectView. remaining_cents is
// read through CAST: SQLite turns an integer subtraction that overflows
// (amounts recorded before they were bounded) into a REAL, which does not
// scan into an int64; CAST saturates it at the int64 limits instead.
const projectViewCols = "p.id, p.org, p.title, p.action, p.field, p.call_year, p.round, p.consortium, p.status, p.partners_json, " +
	"p.start_date, p.end_date, p.submitted_on, p.decided_on, p.signed_on, p.agreement_no, p.closed_on, p.requested_cents, " +
	"p.awarded_cents, p.reported_cents, CAST(p.remaining_cents AS INTEGER), p.paid_cents, p.final_cents, p.ukraine_exception, p.mobilities, " +
	"p.counted_mobilities, p.cancelled, p.payments, p.reports, p.version, p.sequence, p.participants"

// projects runs a query over projects.
func (db *DB) projects(ctx context.Context, tail string, args ...any) ([]projections.ProjectView, error) {
	rows, err := db.query(ctx, "SELECT "+projectViewCols+" FROM projects p "+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []projections.ProjectView{}
	for rows.Next() {
		var p projections.ProjectView
		var partners string
		c := &p.Counts
		if err := rows.Scan(&p.ID, &p.Org, &p.Title, &p.Action, &p.Field, &p.CallYear, &p.Round, &p.Consortium, &p.Status, &partners,
			&p.StartDate, &p.EndDate, &p.SubmittedOn, &p.DecidedOn, &p.SignedOn, &p.AgreementNo, &p.ClosedOn, &p.RequestedCents,
			&p.AwardedCents, &p.ReportedCents, &p.RemainingCents, &p.PaidCents, &p.FinalCents, &p.UkraineException, &c.Mobilities,
			&c.CountedMobilities, &c.Cancelled, &c.Payments, &c.Reports, &p.Version, &p.Sequence, &c.Participants); err != nil {
			return nil, err
		}
		p.Partners = []projections.PartnerView{}
		if err := json.Unmarshal([]byte(partners), &p.Partners); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Project implements projections.Reader.
func (db *DB) Project(ctx context.Context, id string) (projections.ProjectView, error) {
	ps, err := db.projects(ctx, "WHERE p.id = ?", id)
	if err != nil {
		return projections.ProjectView{}, queryErr(err, "the project")
	}
	if len(ps) == 0 {
		return projections.ProjectView{}, apperr.New(apperr.NotFound, "project %s is not known to the ledger", id)
	}
	return ps[0], nil
}

// ProjectsOf implements projections.Reader.
func (db *DB) ProjectsOf(ctx context.Context, org string) ([]projections.ProjectView, error) {
	ps, err := db.projects(ctx, "WHERE p.org = ? ORDER BY p.call_year DESC, p.id", org)
	return ps, queryErr(err, "the projects")
}

// Projects implements projections.Reader.
func (db *DB) Projects(ctx context.Context, f projections.ProjectFilter) (projections.ProjectPage, error) {
	after, err := decodeCursor(f.Cursor, 1)
	if err != nil {
		return projections.ProjectPage{}, err
	}
	var w where
	w.add(f.Org != "", "p.org = ?", f.Org)
	w.add(f.CallYear != 0, "p.call_year = ?", f.CallYear)
	w.add(f.Action != "", "p.action = ?", f.Action)
	w.add(f.Field != "", "p.field = ?", f.Field)
	w.add(f.Status != "", "p.status = ?", f.Status)
	w.add(f.Overdue, overdueSQL)
	if after != nil {
		w.add(true, "p.id > ?", after[0])
	}
	limit := f.EffectiveLimit()
	items, err := db.projects(ctx, w.sql()+" ORDER BY p.id LIMIT "+strconv.Itoa(limit+1), w.args...)
	if err != nil {
		return projections.ProjectPage{}, queryErr(err, "the projects")
	}
	page := projections.ProjectPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = encodeCursor(items[limit-1].ID)
	}
	return page, nil
}

const mobilityViewCols = "project_id, id, org, participant_id, action, call_year, activity, sending_country, receiving_country, " +
	"receiving_city, sending_org, receiving_org, start_date, end_date, days, travel_days, distance_km, green_travel, " +
	"fewer_opportunities, ukraine_exception, accompanying, group_id, persons, status, grant_cents, lines_json, " +
	"reported_on, changed_on, revision, sequence"

// mobilities runs a query over mobilities.
func (db *DB) mobilities(ctx context.Context, tail string, args ...any) ([]projections.MobilityView, error) {
	rows, err := db.query(ctx, "SELECT "+mobilityViewCols+" FROM mobilities "+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []projections.MobilityView{}
	for rows.Next() {
		var m projections.MobilityView
		var lines []byte
		if err := rows.Scan(&m.ProjectID, &m.ID, &m.Org, &m.ParticipantID, &m.Action, &m.CallYear, &m.Activity, &m.SendingCountry,
			&m.ReceivingCountry, &m.ReceivingCity, &m.SendingOrg, &m.ReceivingOrg, &m.StartDate, &m.EndDate, &m.Days, &m.TravelDays,
			&m.DistanceKm, &m.GreenTravel, &m.FewerOpportunities, &m.UkraineException, &m.Accompanying, &m.GroupID, &m.Persons,
			&m.Status, &m.GrantCents, &lines, &m.ReportedOn, &m.ChangedOn, &m.Revision, &m.Sequence); err != nil {
			return nil, err
		}
		var err error
		if m.Lines, err = decodeGrantLines(lines); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Mobility implements projections.Reader.
func (db *DB) Mobility(ctx context.Context, projectID, mobilityID string) (projections.MobilityView, error) {
	ms, err := db.mobilities(ctx, "WHERE project_id = ? AND id = ?", projectID, mobilityID)
	if err != nil {
		return projections.MobilityView{}, queryErr(err, "the mobility")
	}
	if len(ms) == 0 {
		return projections.MobilityView{}, apperr.New(apperr.NotFound, "mobility %s of project %s is not known to the ledger", mobilityID, projectID)
	}
	return ms[0], nil
}

// Mobilities implements projections.Reader.
func (db *DB) Mobilities(ctx context.Context, f projections.MobilityFilter) (projections.MobilityPage, error) {
	after, err := decodeCursor(f.Cursor, 2)
	if err != nil {
		return projections.MobilityPage{}, err
	}
	var w where
	// An organisation's mobilities are those of its projects: found
	// through projects_org and mobilities_key, in key order.
	w.add(f.Org != "", "project_id IN (SELECT id FROM projects WHERE org = ?)", f.Org)
	w.add(f.ProjectID != "", "project_id = ?", f.ProjectID)
	w.add(f.ParticipantID != "", "participant_id = ?", f.ParticipantID)
	w.add(f.Activity != "", "activity = ?", f.Activity)
	w.add(f.Status != "", "status = ?", f.Status)
	w.add(f.ReceivingCountry != "", "receiving_country = ?", f.ReceivingCountry)
	w.add(!f.IncludeCancelled && f.Status == "", "status != 'cancelled'")
	// Keyset pagination: the page starts where the cursor points in
	// mobilities_key. SQLite does not seek on the row value comparison
	// alone (it would walk the project's mobilities from the first), so
	// the key's parts are also given as plain range terms it seeks on.
	switch {
	case after != nil && f.ProjectID != "" && after[0] == f.ProjectID:
		w.add(true, "id > ?", after[1])
	case after != nil:
		w.add(true, "project_id >= ? AND (project_id, id) > (?, ?)", after[0], after[0], after[1])
	}
	limit := f.EffectiveLimit()
	items, err := db.mobilities(ctx, w.sql()+" ORDER BY project_id, id LIMIT "+strconv.Itoa(limit+1), w.args...)
	if err != nil {
		return projections.MobilityPage{}, queryErr(err, "the mobilities")
	}
	page := projections.MobilityPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := items[limit-1]
		page.NextCursor = encodeCursor(last.ProjectID, last.ID)
	}
	return page, nil
}

// Participant implements projections.Reader. Personal data kept sealed
// (in the stream, or in participants.sealed) is opened with
// Options.Vault, reading the stream through Options.Source.
func (db *DB) Participant(ctx context.Context, org, id string) (projections.ParticipantView, error) {
	return db.participant(ctx, db.vault, db.src, org, id)
}

// participant is Participant opening the personal data kept sealed with
// vault, those kept in the stream read from src. A participant whose key
// is destroyed is shown erased (PD-ERASE), also before the read models
// met the erasure.
func (db *DB) participant(ctx context.Context, vault pii.Vault, src projections.Source, org, id string) (projections.ParticipantView, error) {
	if p, ok, err := db.erasedParticipant(ctx, org, id); err != nil || ok {
		return p, err
	}
	rows, err := db.query(ctx, "SELECT org, id, first_name, last_name, birth_date, email, gender, nationality, sequence, sealed "+
		"FROM participants WHERE org = ? AND id = ?", org, id)
	if err != nil {
		return projections.ParticipantView{}, queryErr(err, "the participant")
	}
	defer rows.Close()
	var p projections.ParticipantView
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return p, queryErr(err, "the participant")
		}
		return p, apperr.New(apperr.NotFound, "participant %s of organisation %s has no personal data in the ledger", id, org)
	}
	var sealed []byte
	if err := rows.Scan(&p.Org, &p.ID, &p.FirstName, &p.LastName, &p.BirthDate, &p.Email, &p.Gender, &p.Nationality, &p.Sequence, &sealed); err != nil {
		return p, queryErr(err, "the participant")
	}
	switch {
	case len(sealed) > 0:
		// Written before session 14: the block in the row.
		err = openKept(ctx, vault, org, id, sealed, 0, &p)
	case p.FirstName == "" && p.LastName == "" && p.BirthDate == "" && p.Email == "" && p.Gender == "" && p.Nationality == "":
		// Kept sealed in the stream, in the event at the row's sequence
		// (a row opened in plain text has some personal data: a block
		// with none is not written, openPersonal).
		err = openInStream(ctx, vault, src, org, id, p.Sequence, &p)
	default:
		return p, nil
	}
	if errors.Is(err, pii.ErrErased) {
		return projections.ParticipantView{ID: id, Org: org, Erased: true, Sequence: p.Sequence}, nil
	}
	if err != nil {
		return projections.ParticipantView{}, apperr.Wrap(apperr.Internal, err, "the participant's personal data cannot be opened")
	}
	return p, nil
}

// Payments implements projections.Reader.
func (db *DB) Payments(ctx context.Context, projectID string) ([]projections.PaymentView, error) {
	rows, err := db.query(ctx, "SELECT id, project_id, org, kind, amount_cents, net_paid_cents, paid_on, reason, instalment_id, sequence "+
		"FROM payments WHERE project_id = ? ORDER BY sequence", projectID)
	if err != nil {
		return nil, queryErr(err, "the payments")
	}
	defer rows.Close()
	out := []projections.PaymentView{}
	for rows.Next() {
		var p projections.PaymentView
		if err := rows.Scan(&p.ID, &p.ProjectID, &p.Org, &p.Kind, &p.AmountCents, &p.NetPaidCents, &p.PaidOn, &p.Reason, &p.InstalmentID, &p.Sequence); err != nil {
			return nil, queryErr(err, "the payments")
		}
		out = append(out, p)
	}
	return out, queryErr(rows.Err(), "the payments")
}

// Reports implements projections.Reader.
func (db *DB) Reports(ctx context.Context, projectID string) ([]projections.ReportView, error) {
	rows, err := db.query(ctx, "SELECT project_id, id, org, kind, status, summary, submitted_on, late, mobilities, reported_cents, "+
		"outcome, assessed_on, final_cents, balance_cents, score, note, sequence FROM reports WHERE project_id = ? "+
		"ORDER BY kind = 'final', submitted_on, id", projectID)
	if err != nil {
		return nil, queryErr(err, "the reports")
	}
	defer rows.Close()
	out := []projections.ReportView{}
	for rows.Next() {
		var r projections.ReportView
		if err := rows.Scan(&r.ProjectID, &r.ID, &r.Org, &r.Kind, &r.Status, &r.Summary, &r.SubmittedOn, &r.Late, &r.Mobilities,
			&r.ReportedCents, &r.Outcome, &r.AssessedOn, &r.FinalCents, &r.BalanceCents, &r.Score, &r.Note, &r.Sequence); err != nil {
			return nil, queryErr(err, "the reports")
		}
		out = append(out, r)
	}
	return out, queryErr(rows.Err(), "the reports")
}

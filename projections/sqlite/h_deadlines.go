package sqlite

import (
	"context"
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// overdueSQL selects the projects overdue now (migration 0009): a deadline
// flag was recorded and its matter is still open.
const overdueSQL = "EXISTS (SELECT 1 FROM deadline_flags f WHERE f.project_id = p.id AND " +
	"((f.flag = 'final-report-overdue' AND p.status = 'ongoing') OR (f.flag = 'assessment-overdue' AND p.status = 'final-report-submitted')))"

// registerDeadlineHandlers projects the deadline flags.
func registerDeadlineHandlers(hs map[string]*handler) {
	on(hs, applyDeadlineFlagRaised, func(_ *events.Envelope, e *aggregates.DeadlineFlagRaised) string {
		return fmt.Sprintf("Project %s: %s (%s, due %s) recorded on %s", e.ProjectID, e.Flag, e.Rule, e.DueOn, e.RaisedOn)
	})
}

func applyDeadlineFlagRaised(a *applier, env *events.Envelope, e *aggregates.DeadlineFlagRaised) error {
	if a.dl == nil {
		s, err := a.w.prepare("INSERT OR IGNORE INTO deadline_flags (project_id, flag, org, rule, due_on, raised_on, sequence) VALUES (?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return err
		}
		a.dl = s
	}
	return a.dl.exec(e.ProjectID, e.Flag, e.OID, e.Rule, e.DueOn.String(), e.RaisedOn.String(), int64(env.Sequence))
}

// DeadlineCandidates returns the IDs of the projects that may owe a
// deadline flag on day today: signed projects still ongoing whose final
// report falls due within the reminder window (or is past due), and
// projects whose final report awaits its assessment. The domain decides
// precisely (aggregates.DueDeadlines).
func (db *DB) DeadlineCandidates(ctx context.Context, today aggregates.Date) ([]string, error) {
	// A project ending on or before today-(60-14) days is in the window;
	// one day more, since today is a UTC date and the office's day may be
	// the next one already.
	lastEnd := today.AddDays(aggregates.ReminderDaysBefore - 60 + 1).String()
	rows, err := db.query(ctx, "SELECT p.id FROM projects p WHERE (p.status = ? AND p.signed_on != '' AND p.end_date <= ?) OR p.status = ? ORDER BY p.id",
		aggregates.StatusOngoing, lastEnd, aggregates.StatusReportLocked)
	if err != nil {
		return nil, queryErr(err, "the deadline candidates")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, queryErr(err, "the deadline candidates")
		}
		out = append(out, id)
	}
	return out, queryErr(rows.Err(), "the deadline candidates")
}

// DeadlineCandidates answers from the current generation (see DB.DeadlineCandidates).
func (m *Manager) DeadlineCandidates(ctx context.Context, today aggregates.Date) ([]string, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.DeadlineCandidates(ctx, today)
}

// Deadlines returns the deadline flags of project id and whether it is
// overdue now.
func (db *DB) Deadlines(ctx context.Context, id string) (projections.DeadlineStatus, error) {
	out := projections.DeadlineStatus{Flags: []projections.DeadlineFlagView{}}
	rows, err := db.query(ctx, "SELECT flag, rule, due_on, raised_on FROM deadline_flags WHERE project_id = ? ORDER BY sequence", id)
	if err != nil {
		return out, queryErr(err, "the deadline flags")
	}
	defer rows.Close()
	for rows.Next() {
		var f projections.DeadlineFlagView
		if err := rows.Scan(&f.Flag, &f.Rule, &f.DueOn, &f.RaisedOn); err != nil {
			return out, queryErr(err, "the deadline flags")
		}
		out.Flags = append(out.Flags, f)
	}
	if err := rows.Err(); err != nil {
		return out, queryErr(err, "the deadline flags")
	}
	r, err := db.query(ctx, "SELECT 1 FROM projects p WHERE p.id = ? AND "+overdueSQL, id)
	if err != nil {
		return out, queryErr(err, "the deadline flags")
	}
	defer r.Close()
	out.Overdue = r.Next()
	return out, queryErr(r.Err(), "the deadline flags")
}

// Deadlines answers from the current generation (see DB.Deadlines).
func (m *Manager) Deadlines(ctx context.Context, id string) (projections.DeadlineStatus, error) {
	g, err := m.acquire()
	if err != nil {
		return projections.DeadlineStatus{}, err
	}
	defer g.release()
	return g.db.Deadlines(ctx, id)
}

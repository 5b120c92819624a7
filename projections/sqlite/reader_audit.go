package sqlite

import (
	"context"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/projections"
)

// auditCols are the columns of audit_log, in the order the applier writes
// them and auditRows scans them.
const auditCols = "sequence, event_id, recorded_at, occurred_at, actor_user, actor_role, actor_org, org, " +
	"aggregate_kind, aggregate_id, version, type, summary, reason, correlation_id, hash, prev_hash"

// postingChunksPerQuery is how many chunks of a posting list Audit reads
// at a time.
const postingChunksPerQuery = 8

// Audit implements projections.Reader. The history of one aggregate or of
// one organisation is found through its posting list (audit_postings):
// chunk by chunk in the order asked for, each chunk's rows fetched by
// sequence and filtered, until the page is full. Without either filter the
// log is read in sequence order.
func (db *DB) Audit(ctx context.Context, f projections.AuditFilter) (projections.AuditPage, error) {
	after, err := decodeSeqCursor(f.Cursor)
	if err != nil {
		return projections.AuditPage{}, err
	}
	// The posting list of the aggregate (or else of the organisation)
	// holds the candidates; the other filters apply to their rows.
	var k postingKey
	switch {
	case f.AggregateID != "":
		k = postingKey{postingAggregate, f.AggregateID}
	case f.Org != "":
		k = postingKey{postingOrg, f.Org}
	}
	var w where
	w.add(f.Org != "" && k.kind != postingOrg, "org = ?", f.Org)
	w.add(f.AggregateKind != "", "aggregate_kind = ?", f.AggregateKind)
	w.add(f.Type != "", "type = ?", f.Type)
	if f.Descending {
		w.add(f.Cursor != "", "sequence < ?", after)
	} else {
		w.add(f.Cursor != "", "sequence > ?", after)
	}
	limit := f.EffectiveLimit()
	var items []projections.AuditEntry
	if k.kind != "" {
		items, err = db.auditByPostings(ctx, k, w, f, after, limit+1)
	} else {
		items, err = db.auditRows(ctx, w.sql()+" ORDER BY sequence "+direction(f.Descending)+" LIMIT "+strconv.Itoa(limit+1), w.args, nil)
	}
	if err != nil {
		return projections.AuditPage{}, queryErr(err, "the audit log")
	}
	page := projections.AuditPage{Items: items}
	if page.Items == nil {
		page.Items = []projections.AuditEntry{}
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = encodeCursor(strconv.FormatUint(page.Items[limit-1].Sequence, 10))
	}
	return page, nil
}

// direction is the SQL sort direction.
func direction(descending bool) string {
	if descending {
		return "DESC"
	}
	return "ASC"
}

// auditByPostings returns up to want entries of the posting list k that
// pass w (the filters of f that k does not imply, the cursor's included),
// in f's order.
func (db *DB) auditByPostings(ctx context.Context, k postingKey, w where, f projections.AuditFilter, after uint64, want int) ([]projections.AuditEntry, error) {
	rowsSQL := "WHERE sequence IN (SELECT value FROM json_each(?))"
	if len(w.conds) > 0 {
		rowsSQL += " AND " + strings.Join(w.conds, " AND ")
	}
	rowsSQL += " ORDER BY sequence " + direction(f.Descending) + " LIMIT ?"
	var items []projections.AuditEntry
	next := int64(-1) // ascending: chunks after next
	if f.Descending {
		next = 1<<62 - 1 // descending: chunks before next
	}
	for len(items) < want {
		chunks, err := db.postingChunks(ctx, k, f, after, next)
		if err != nil || len(chunks) == 0 {
			return items, err
		}
		for _, c := range chunks {
			args := append([]any{c.sequences}, w.args...)
			args = append(args, want-len(items))
			if items, err = db.auditRows(ctx, rowsSQL, args, items); err != nil {
				return nil, err
			}
			next = c.chunk
			if len(items) >= want {
				break
			}
		}
		if len(chunks) < postingChunksPerQuery {
			break // that was the list's last chunk
		}
	}
	return items, nil
}

// postingChunkRow is one stored chunk of a posting list.
type postingChunkRow struct {
	chunk     int64
	sequences string
}

// postingChunks reads the next postingChunksPerQuery chunks of k after (or,
// descending, before) chunk next that may hold entries past the cursor.
func (db *DB) postingChunks(ctx context.Context, k postingKey, f projections.AuditFilter, after uint64, next int64) ([]postingChunkRow, error) {
	q := "SELECT chunk, sequences FROM audit_postings WHERE kind = ? AND key = ? AND chunk "
	args := []any{k.kind, k.key, next}
	if f.Descending {
		q += "< ?"
		if f.Cursor != "" {
			q += " AND first_sequence < ?"
			args = append(args, after)
		}
	} else {
		q += "> ?"
		if f.Cursor != "" {
			q += " AND last_sequence > ?"
			args = append(args, after)
		}
	}
	q += " ORDER BY chunk " + direction(f.Descending) + " LIMIT " + strconv.Itoa(postingChunksPerQuery)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []postingChunkRow
	for rows.Next() {
		var c postingChunkRow
		if err := rows.Scan(&c.chunk, &c.sequences); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// auditRows appends to items the audit entries of "SELECT auditCols FROM
// audit_log " + tail.
func (db *DB) auditRows(ctx context.Context, tail string, args []any, items []projections.AuditEntry) ([]projections.AuditEntry, error) {
	rows, err := db.query(ctx, "SELECT "+auditCols+" FROM audit_log "+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e projections.AuditEntry
		var rec, occ string
		if err := rows.Scan(&e.Sequence, &e.EventID, &rec, &occ, &e.ActorUser, &e.ActorRole, &e.ActorOrg, &e.Org, &e.AggregateKind,
			&e.AggregateID, &e.Version, &e.Type, &e.Summary, &e.Reason, &e.CorrelationID, &e.Hash, &e.PrevHash); err != nil {
			return nil, err
		}
		e.RecordedAt, e.OccurredAt = parseTime(rec), parseTime(occ)
		items = append(items, e)
	}
	return items, rows.Err()
}

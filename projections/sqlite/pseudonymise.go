package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/erasmus-ledger/grants/events/privacy"
)

// PersonalTables are the tables of the read models that hold personal
// data of participants; an analyst's file has them empty.
var PersonalTables = []string{"participants"}

// Pseudonymise turns a read-model file built for an analyst (grants
// replay --out) into a pseudonymous one (PD-EXPORT-PSEUDONYMOUS): the
// personal tables emptied, every acting person's user ID in the audit log
// replaced by its pseudonym (ps) and its free-text reasons left out, then the file rewritten (VACUUM, with
// secure_delete) so that no deleted page keeps the old bytes. It returns
// the number of audit entries, for the empty-history warning (ASOF-EMPTY).
func Pseudonymise(ctx context.Context, path string, ps *privacy.Pseudonymiser) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?_secure_delete=true")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	for _, t := range PersonalTables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return 0, fmt.Errorf("emptying %s: %w", t, err)
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT DISTINCT actor_user FROM audit_log")
	if err != nil {
		return 0, err
	}
	var users []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return 0, err
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// One pass over the audit log, through a temporary map of pseudonyms.
	if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE pseudonyms (user TEXT PRIMARY KEY, pseudonym TEXT NOT NULL)"); err != nil {
		return 0, err
	}
	for _, u := range users {
		if p := ps.User(u); p != u {
			if _, err := tx.ExecContext(ctx, "INSERT INTO pseudonyms VALUES (?, ?)", u, p); err != nil {
				return 0, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE audit_log SET actor_user = (SELECT pseudonym FROM pseudonyms WHERE user = actor_user) WHERE actor_user IN (SELECT user FROM pseudonyms)"); err != nil {
		return 0, fmt.Errorf("pseudonymising the audit log: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DROP TABLE pseudonyms"); err != nil {
		return 0, err
	}
	// The reasons given with commands are free text, which may name a
	// person: left out, as in the event export.
	if _, err := tx.ExecContext(ctx, "UPDATE audit_log SET reason = '' WHERE reason <> ''"); err != nil {
		return 0, fmt.Errorf("emptying the audit log's reasons: %w", err)
	}
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM audit_log").Scan(&n); err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, "VACUUM"); err != nil {
		return 0, fmt.Errorf("rewriting the file: %w", err)
	}
	return n, nil
}

// CountEvents returns the number of events a read-model file holds (its
// audit entries), for the empty-history warning (ASOF-EMPTY).
func CountEvents(ctx context.Context, path string) (int64, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM audit_log").Scan(&n)
	return n, err
}

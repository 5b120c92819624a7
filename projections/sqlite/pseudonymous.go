package sqlite

import (
	"context"
	"database/sql"
)

// An analyst's file (grants replay --out without --personal-data) is
// pseudonymous (PD-EXPORT-PSEUDONYMOUS). It is built so from the first
// row (ProjectorConfig.Pseudonyms): the audit log names each acting user
// by its pseudonym, the free-text reasons given with commands (the audit
// log's and the payments') are left out, as in the event export, and no
// participants row is written (openPersonal). No personal value ever
// reaches the file, so nothing has to be deleted or vacuumed afterwards
// and no free page can keep one.

// actorUser is the audit log's actor_user for a user ID: the ID, or in a
// pseudonymous file its pseudonym (PD-EXPORT-PSEUDONYMOUS).
func (a *applier) actorUser(id string) string {
	if a.pseudonyms == nil {
		return id
	}
	return a.pseudonyms.User(id)
}

// commandReason is what a row keeps of the free-text reason given with a
// command: all of it, or nothing in a pseudonymous file, where it may
// name a person (PD-EXPORT-PSEUDONYMOUS).
func (a *applier) commandReason(reason string) string {
	if a.pseudonyms != nil {
		return ""
	}
	return reason
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

package sqlite

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// A rebuild's tail (the end of a bulk load) was serial on the writer
// connection: the budget tables, then counting the project participants,
// then the index builds, while the second core idled. bulkAux writes the
// tables the writer's own state fills at the end (project_participants,
// 760 000 rows for a million events, participants, 914 000 rows kept in
// memory through the load (bulkparts.go), project_budgets and
// project_budget_examples, with their indexes) into a second, scratch SQLite
// file on a goroutine of its own, beside the writer's index builds; finishBulk then copies them into
// the main file with INSERT INTO main.t SELECT * FROM aux.t, which SQLite
// runs as its transfer optimisation (records and index entries copied in
// order without decoding them) because both files hold the same schema.

// bulkAuxTables are the tables bulkAux fills, in the order it copies them.
var bulkAuxTables = []string{"project_participants", "participants", "project_budgets", "project_budget_examples"}

// bulkAux is the scratch file of a rebuild's tail and the goroutine that
// writes it.
type bulkAux struct {
	path string
	// budgets hands the projects whose budgets are written over to the
	// goroutine, once the examples left to the end are found; closing it
	// without a send abandons the file.
	budgets chan []*projectRow
	done    chan error
	// handed is set once budgets is closed (by handOver or abandon).
	handed bool
}

// startBulkAux creates the scratch file next to db's and starts writing
// the participants of projects (the bulk load's project rows, which the
// writer only reads from now on) and the participants rows parts (their
// IDs in keys, which the writer no longer changes) into it.
func startBulkAux(db *DB, projects []*projectRow, parts bulkParticipants, keys keyArena) (*bulkAux, error) {
	ddl, err := bulkAuxSchema(db)
	if err != nil {
		return nil, err
	}
	x := &bulkAux{path: db.path + "-aux", budgets: make(chan []*projectRow, 1), done: make(chan error, 1)}
	removeDBFiles(x.path)
	go func() { x.done <- x.run(ddl, projects, parts, keys) }()
	return x, nil
}

// bulkAuxSchema returns the statements that create bulkAuxTables and
// their indexes as db has them (the indexes as dropped for the load).
func bulkAuxSchema(db *DB) ([]string, error) {
	var ddl []string
	for _, t := range bulkAuxTables {
		var sql string
		if err := db.w.queryRow("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '"+t+"'", nil, &sql); err != nil {
			return nil, fmt.Errorf("reading the schema of %s: %w", t, err)
		}
		ddl = append(ddl, sql)
	}
	for _, def := range db.dropped {
		for _, t := range bulkAuxTables {
			if strings.Contains(def, " ON "+t+" ") {
				ddl = append(ddl, def)
			}
		}
	}
	return ddl, nil
}

// errAuxAbandoned ends the goroutine of a rebuild that failed first.
var errAuxAbandoned = errors.New("the rebuild ended before its budgets were written")

// run writes the scratch file: the schema without its indexes, the
// participants, then (once handed over) the budgets, then the indexes.
func (x *bulkAux) run(ddl []string, projects []*projectRow, parts bulkParticipants, keys keyArena) (err error) {
	dc, err := (&sqlite3.SQLiteDriver{}).Open(x.path + "?_journal_mode=OFF&_synchronous=OFF&_locking_mode=EXCLUSIVE&_mutex=no&_cache_size=-32768")
	if err != nil {
		<-x.budgets
		return fmt.Errorf("opening the rebuild's scratch file: %w", err)
	}
	w := &wconn{c: dc.(*sqlite3.SQLiteConn)}
	defer func() {
		if cerr := w.close(); err == nil {
			err = cerr
		}
	}()
	abandon := func(err error) error {
		<-x.budgets
		return err
	}
	if err := w.execScript("PRAGMA page_size=16384; PRAGMA temp_store=FILE; PRAGMA threads=2; BEGIN"); err != nil {
		return abandon(err)
	}
	var indexes []string
	for _, s := range ddl {
		if strings.HasPrefix(s, "CREATE INDEX") || strings.HasPrefix(s, "CREATE UNIQUE INDEX") {
			indexes = append(indexes, s)
			continue
		}
		if err := w.execScript(s); err != nil {
			return abandon(err)
		}
	}
	if err := writeParticipants(w, projects); err != nil {
		return abandon(err)
	}
	if err := writeBulkParticipants(w, parts, keys); err != nil {
		return abandon(err)
	}
	budgets, ok := <-x.budgets
	if !ok {
		return errAuxAbandoned
	}
	cat, err := newRowBuffer(w, "INSERT", "project_budgets", budgetCatCols)
	if err != nil {
		return err
	}
	ex, err := newRowBuffer(w, "INSERT", "project_budget_examples", budgetExCols)
	if err != nil {
		return err
	}
	if err := writeBudgets(budgets, cat, ex, nil, nil); err != nil {
		return err
	}
	for _, s := range indexes {
		if err := w.execScript(s); err != nil {
			return err
		}
	}
	return w.execScript("COMMIT")
}

// writeParticipants writes the project_participants rows of projects in
// key order.
func writeParticipants(w *wconn, projects []*projectRow) error {
	b, err := newRowBuffer(w, "INSERT", "project_participants", "project_id, participant_id, mobilities")
	if err != nil {
		return err
	}
	var ids []string
	for _, p := range projects {
		ids = ids[:0]
		for id, n := range p.partCounts {
			if n > 0 {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			b.text(p.id)
			b.text(id)
			b.int(int64(p.partCounts[id]))
			if _, err := b.end(); err != nil {
				return err
			}
		}
	}
	return b.flush()
}

// handOver gives the goroutine the projects whose budgets it writes.
func (x *bulkAux) handOver(projects []*projectRow) {
	x.budgets <- projects
	close(x.budgets)
	x.handed = true
}

// abandon stops the goroutine of a failed rebuild and removes its file.
func (x *bulkAux) abandon() {
	if !x.handed {
		close(x.budgets)
		x.handed = true
	}
	<-x.done
	removeDBFiles(x.path)
}

// copyBulkAux waits for the scratch file and copies its tables into db's
// (whose copies are empty, with the same indexes), then removes it.
func (db *DB) copyBulkAux() error {
	x := db.aux
	db.aux = nil
	if err := <-x.done; err != nil {
		removeDBFiles(x.path)
		return fmt.Errorf("writing the rebuild's scratch file: %w", err)
	}
	defer removeDBFiles(x.path)
	if err := db.w.execArgs("ATTACH DATABASE ? AS bulkaux", x.path); err != nil {
		return err
	}
	script := "BEGIN; "
	for _, t := range bulkAuxTables {
		script += "INSERT INTO main." + t + " SELECT * FROM bulkaux." + t + "; "
	}
	if err := db.w.execScript(script + "COMMIT"); err != nil {
		db.w.execScript("ROLLBACK")
		db.w.execScript("DETACH DATABASE bulkaux")
		return err
	}
	return db.w.execScript("DETACH DATABASE bulkaux")
}

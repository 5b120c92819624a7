package sqlite

import (
	"fmt"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// TimeBatchedInsert times inserting rows plain rows (an integer key, a
// short text and an integer) into a new file at path with a rebuild's
// settings and batch size, through the batched insert path the projector
// writes its read models with, and removes the file. It is the raw SQLite
// rate of this machine that a replay's rate is judged against (grants
// bench): the cost of SQLite itself, without the read models' logic.
func TimeBatchedInsert(path string, rows int) (time.Duration, error) {
	removeDBFiles(path)
	defer removeDBFiles(path)
	dc, err := (&sqlite3.SQLiteDriver{}).Open(path + "?_journal_mode=OFF&_synchronous=OFF&_locking_mode=EXCLUSIVE&_cache_size=-262144")
	if err != nil {
		return 0, err
	}
	w := &wconn{c: dc.(*sqlite3.SQLiteConn)}
	defer w.close()
	if err := w.execScript("CREATE TABLE raw (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount INTEGER NOT NULL)"); err != nil {
		return 0, err
	}
	ins, err := newRowBuffer(w, "INSERT", "raw", "id, name, amount")
	if err != nil {
		return 0, err
	}
	names := make([]string, 64)
	for i := range names {
		names[i] = fmt.Sprintf("participant-%04d", i)
	}
	start := time.Now()
	for i := 0; i < rows; {
		if err := w.execScript("BEGIN"); err != nil {
			return 0, err
		}
		for end := min(rows, i+RebuildBatchSize); i < end; i++ {
			ins.int(int64(i + 1))
			ins.text(names[i%len(names)])
			ins.int(int64(i) * 7)
			if _, err := ins.end(); err != nil {
				return 0, err
			}
		}
		if err := ins.flush(); err != nil {
			return 0, err
		}
		if err := w.execScript("COMMIT"); err != nil {
			return 0, err
		}
	}
	d := time.Since(start)
	if err := w.close(); err != nil {
		return 0, err
	}
	w.stmts = nil
	return d, syncFile(path)
}

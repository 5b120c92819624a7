package sqlitebench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"strings"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// rawRowsPerStatement is the number of rows one INSERT of the raw
// baseline writes, as the projector's row buffers do.
const rawRowsPerStatement = 32

// timeBatchedInsert times inserting rows plain rows (an integer key, a
// short text and an integer) into a new file at path with a rebuild's
// settings and batch size, through prepared multi-row INSERTs run by the
// driver's exported query path, as the projector writes its rows, and
// removes the file. It is the raw SQLite rate of this machine that a
// replay's rate is judged against: the cost of SQLite itself, without the
// read models' logic.
func timeBatchedInsert(ctx context.Context, path string, rows int) (time.Duration, error) {
	removeDBFiles(path)
	defer removeDBFiles(path)
	db, err := sql.Open("sqlite3", path+"?_journal_mode=OFF&_synchronous=OFF&_locking_mode=EXCLUSIVE&_cache_size=-262144")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var d time.Duration
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("the sqlite3 driver gave a %T", dc)
		}
		d, err = insertRows(ctx, c, rows)
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := conn.Close(); err != nil {
		return 0, err
	}
	if err := db.Close(); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return d, f.Sync()
}

// insertRows creates the table raw on c and inserts rows rows.
func insertRows(ctx context.Context, c *sqlite3.SQLiteConn, rows int) (time.Duration, error) {
	exec := func(q string) error {
		_, err := c.ExecContext(ctx, q, nil)
		return err
	}
	if err := exec("CREATE TABLE raw (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount INTEGER NOT NULL)"); err != nil {
		return 0, err
	}
	prepare := func(n int) (*sqlite3.SQLiteStmt, error) {
		q := "INSERT INTO raw (id, name, amount) VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", ")
		st, err := c.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		return st.(*sqlite3.SQLiteStmt), nil
	}
	many, err := prepare(rawRowsPerStatement)
	if err != nil {
		return 0, err
	}
	defer many.Close()
	one, err := prepare(1)
	if err != nil {
		return 0, err
	}
	defer one.Close()
	run := func(st *sqlite3.SQLiteStmt, args []driver.NamedValue) error {
		r, err := st.QueryContext(ctx, args)
		if err == nil {
			err = r.Close()
		}
		return err
	}
	names := make([]string, 64)
	for i := range names {
		names[i] = fmt.Sprintf("participant-%04d", i)
	}
	args := make([]driver.NamedValue, 3*rawRowsPerStatement)
	for i := range args {
		args[i].Ordinal = i + 1
	}
	start := time.Now()
	for i := 0; i < rows; {
		if err := exec("BEGIN"); err != nil {
			return 0, err
		}
		end := min(rows, i+sqlite.RebuildBatchSize)
		for ; i+rawRowsPerStatement <= end; i += rawRowsPerStatement {
			for r := range rawRowsPerStatement {
				k := i + r
				args[3*r].Value, args[3*r+1].Value, args[3*r+2].Value = int64(k+1), names[k%len(names)], int64(k)*7
			}
			if err := run(many, args); err != nil {
				return 0, err
			}
		}
		for ; i < end; i++ {
			if err := run(one, []driver.NamedValue{{Ordinal: 1, Value: int64(i + 1)}, {Ordinal: 2, Value: names[i%len(names)]}, {Ordinal: 3, Value: int64(i) * 7}}); err != nil {
				return 0, err
			}
		}
		if err := exec("COMMIT"); err != nil {
			return 0, err
		}
	}
	d := time.Since(start)
	// The rows are all there (the time would mean nothing otherwise).
	r, err := c.QueryContext(ctx, "SELECT count(*), coalesce(sum(amount), 0) FROM raw", nil)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	got := make([]driver.Value, 2)
	if err := r.Next(got); err != nil {
		return 0, err
	}
	if want := int64(rows) * int64(rows-1) / 2 * 7; got[0] != int64(rows) || got[1] != want {
		return 0, fmt.Errorf("the raw insert wrote %v rows of total %v, want %d of total %d", got[0], got[1], rows, want)
	}
	return d, nil
}

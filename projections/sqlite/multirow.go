package sqlite

import (
	"database/sql/driver"
	"strings"
)

// multiRows is the number of rows one multi-row INSERT writes.
const multiRows = 32

// rowBuffer gathers the rows of one INSERT statement and writes them
// multiRows at a time with a multi-row VALUES list: SQLite then compiles
// and steps one statement, and the driver crosses into C once, for many
// rows. Pending rows are written by flush, which the applier calls before
// reading the table back and before every commit.
type rowBuffer struct {
	cols int
	one  *wstmt
	many *wstmt
	buf  []driver.Value
	// writes counts the statements that wrote queued rows out.
	writes uint64
}

// newRowBuffer prepares "INSERT ... INTO table (cols) VALUES" for one row
// and for multiRows rows; verb is e.g. "INSERT" or "INSERT OR REPLACE".
func newRowBuffer(w *wconn, verb, table, cols string) (*rowBuffer, error) {
	n := strings.Count(cols, ",") + 1
	row := "(" + placeholders(cols) + ")"
	head := verb + " INTO " + table + " (" + cols + ") VALUES "
	one, err := w.prepare(head + row)
	if err != nil {
		return nil, err
	}
	many, err := w.prepare(head + strings.TrimSuffix(strings.Repeat(row+", ", multiRows), ", "))
	if err != nil {
		return nil, err
	}
	return &rowBuffer{cols: n, one: one, many: many, buf: make([]driver.Value, 0, n*multiRows)}, nil
}

// add queues one row. It reports whether the queue was written out.
func (b *rowBuffer) add(vals ...driver.Value) (bool, error) {
	b.buf = append(b.buf, vals...)
	if len(b.buf) < b.cols*multiRows {
		return false, nil
	}
	err := b.many.exec(b.buf...)
	b.writes++
	clear(b.buf)
	b.buf = b.buf[:0]
	return true, err
}

// flush writes the queued rows.
func (b *rowBuffer) flush() error {
	var err error
	if len(b.buf) > 0 {
		b.writes++
	}
	for i := 0; i+b.cols <= len(b.buf) && err == nil; i += b.cols {
		err = b.one.exec(b.buf[i : i+b.cols]...)
	}
	clear(b.buf)
	b.buf = b.buf[:0]
	return err
}

// reset drops the queued rows (after a rollback).
func (b *rowBuffer) reset() {
	clear(b.buf)
	b.buf = b.buf[:0]
}

package sqlite

import (
	"fmt"
	"strings"
	"unsafe"
)

// multiRows is the number of rows one multi-row INSERT writes.
const multiRows = 32

// rowBuffer gathers the rows of one INSERT statement and writes them
// multiRows at a time with a multi-row VALUES list: SQLite then compiles
// and steps one statement, and the program crosses into C once, for many
// rows. A row is written value by value (int, text, bool) into a packed
// buffer in C memory (packedRows) and closed with end. Pending rows are
// written by flush, which the applier calls before reading the table back
// and before every commit.
type rowBuffer struct {
	cols int
	one  *wstmt
	many *wstmt
	vals packedRows
	// starts[i] is where queued row i begins in vals; starts[rows] is
	// where the row being written begins.
	starts [multiRows + 1]int
	rows   int
	// n counts the values of the row being written.
	n int
	// keys[i] is the first value of queued row i if it is an integer: the
	// rowid, in the buffers whose rows start with it (see holds).
	keys [multiRows]int64
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
	b := &rowBuffer{cols: n, one: one, many: many}
	w.buffers = append(w.buffers, b)
	return b, nil
}

// int, text and bool append a value to the row being written.
func (b *rowBuffer) int(v int64) {
	if b.n == 0 {
		b.keys[b.rows] = v
	}
	b.vals.int(v)
	b.n++
}
func (b *rowBuffer) text(s string) { b.vals.text(s); b.n++ }
func (b *rowBuffer) bool(v bool)   { b.vals.bool(v); b.n++ }

// textBytes appends UTF-8 text held in a byte slice.
func (b *rowBuffer) textBytes(s []byte) {
	b.vals.text(unsafe.String(unsafe.SliceData(s), len(s)))
	b.n++
}

// end closes the row being written (the caller wrote exactly cols values)
// and writes the queue out when it is full. It reports whether it did.
func (b *rowBuffer) end() (bool, error) {
	if b.n != b.cols {
		err := fmt.Errorf("%s: a row of %d values, want %d", firstLine(b.one.sql), b.n, b.cols)
		b.reset()
		return false, err
	}
	b.n = 0
	b.rows++
	b.starts[b.rows] = len(b.vals.mem)
	if b.rows < multiRows {
		return false, nil
	}
	err := execPacked(b.many, &b.vals, 0, len(b.vals.mem), b.cols*multiRows)
	b.reset()
	return true, err
}

// flush writes the queued rows.
func (b *rowBuffer) flush() error {
	var err error
	if b.n != 0 {
		err = fmt.Errorf("%s: a row was left unfinished", firstLine(b.one.sql))
	}
	for i := 0; i < b.rows && err == nil; i++ {
		err = execPacked(b.one, &b.vals, b.starts[i], b.starts[i+1], b.cols)
	}
	b.reset()
	return err
}

// holds tells whether a queued row starts with rowid, in a buffer whose
// rows start with their rowid.
func (b *rowBuffer) holds(rowid int64) bool {
	for _, k := range b.keys[:b.rows] {
		if k == rowid {
			return true
		}
	}
	return false
}

// flushIfHolds writes the queued rows if the row of rowid is among them,
// so that it can be read back.
func (b *rowBuffer) flushIfHolds(rowid int64) error {
	if b.holds(rowid) {
		return b.flush()
	}
	return nil
}

// reset drops the queued rows (after a rollback).
func (b *rowBuffer) reset() {
	b.vals.reset()
	b.rows, b.n = 0, 0
}

// free releases the buffer's memory; the wconn does it when it closes.
func (b *rowBuffer) free() { b.vals.free() }

package sqlite

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"unsafe"
)

// multiRows is the number of rows one multi-row INSERT writes.
const multiRows = 32

// rowBuffer gathers the rows of one INSERT statement and writes them
// multiRows at a time with a multi-row VALUES list: SQLite then compiles
// and steps one statement, and the driver binds every value and steps in
// one cgo call (its query path), for many rows. A row is written value by
// value (int, text, bool) and closed with end. Pending rows are written
// by flush, which the applier calls before reading the table back and
// before every commit.
//
// Only the driver's exported API is used: the values go to
// SQLiteStmt.QueryContext as driver.NamedValue, and the driver copies the
// texts into its own buffer.
type rowBuffer struct {
	cols int
	one  *wstmt
	many *wstmt
	// args are the arguments of many: the queued rows' values, cols per
	// row, numbered 1 to cols*multiRows.
	args []driver.NamedValue
	// row are the arguments of one, numbered 1 to cols.
	row []driver.NamedValue
	// last is, per column, the value queued last: a value equal to it is
	// queued as the same driver.Value, without boxing it again (most
	// columns repeat from row to row: the project, the organisation, the
	// action, the countries, the dates...).
	last []lastValue
	// rows counts the queued rows.
	rows int
	// n counts the values of the row being written.
	n int
	// keys[i] is the first value of queued row i if it is an integer: the
	// rowid, in the buffers whose rows start with it (see holds).
	keys [multiRows]int64
	// texts holds the bytes of the queued rows' textBytes values, which
	// their strings alias until the rows are written (reset): one buffer
	// reused instead of a string allocated for each value (the audit
	// summary of every event, the grant lines of every mobility).
	texts []byte
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
	b := &rowBuffer{cols: n, one: one, many: many, args: numbered(n * multiRows), row: numbered(n), last: make([]lastValue, n)}
	w.buffers = append(w.buffers, b)
	return b, nil
}

// numbered returns n arguments with the ordinals 1 to n.
func numbered(n int) []driver.NamedValue {
	args := make([]driver.NamedValue, n)
	for i := range args {
		args[i].Ordinal = i + 1
	}
	return args
}

// lastValue is the value last queued in a column, and its driver.Value.
type lastValue struct {
	text  string
	num   int64
	isNum bool
	v     driver.Value
}

// put appends a value to the row being written. A row with more values
// than columns keeps only the first ones; end then reports it.
func (b *rowBuffer) put(v driver.Value) {
	if b.n < b.cols {
		b.args[b.rows*b.cols+b.n].Value = v
	}
	b.n++
}

// int, text and bool append a value to the row being written.
func (b *rowBuffer) int(v int64) {
	if b.n == 0 {
		b.keys[b.rows] = v
	}
	if b.n < b.cols {
		l := &b.last[b.n]
		if !l.isNum || l.num != v || l.v == nil {
			*l = lastValue{num: v, isNum: true, v: v}
		}
		b.put(l.v)
		return
	}
	b.put(v)
}

// text appends a text. The string is queued as it is: Go strings do not
// change, and the strings that alias an event's payload (fastjson.go)
// alias a message body that is never written again.
func (b *rowBuffer) text(s string) {
	if b.n < b.cols {
		l := &b.last[b.n]
		if l.isNum || l.text != s || l.v == nil {
			*l = lastValue{text: s, v: s}
		}
		b.put(l.v)
		return
	}
	b.put(s)
}

// fresh appends a text that differs from row to row (an event's ID, its
// hashes, a mobility's ID): text's comparison with the value before it
// would only fail, often after a long common prefix (the time part of
// consecutive event IDs).
func (b *rowBuffer) fresh(s string) {
	if b.n < b.cols {
		b.last[b.n] = lastValue{}
	}
	b.put(s)
}

// repeat appends the value just appended again (an occurrence time equal
// to the recording time): the same driver.Value, not boxed a second time.
// It never starts a row.
func (b *rowBuffer) repeat() {
	if b.n == 0 || b.n >= b.cols {
		b.put(nil)
		return
	}
	b.last[b.n] = b.last[b.n-1]
	b.put(b.args[b.rows*b.cols+b.n-1].Value)
}

func (b *rowBuffer) bool(v bool) { b.put(v) }

// textBytes appends UTF-8 text held in a byte slice, which the caller may
// reuse once the call returns: it is copied into b.texts, which the queued
// rows' strings alias until they are written (the driver copies them when
// it binds them). A full b.texts is replaced, not overwritten: the strings
// already queued keep the old one.
func (b *rowBuffer) textBytes(s []byte) {
	if b.n < b.cols {
		b.last[b.n] = lastValue{}
	}
	if len(s) == 0 {
		b.put("")
		return
	}
	if len(b.texts)+len(s) > cap(b.texts) {
		b.texts = make([]byte, 0, max(4096, 2*cap(b.texts), 2*len(s)))
	}
	start := len(b.texts)
	b.texts = append(b.texts, s...)
	b.put(aliasString(b.texts[start:]))
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
	if b.rows < multiRows {
		return false, nil
	}
	err := b.many.run(b.args)
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
		for j := range b.row {
			b.row[j].Value = b.args[i*b.cols+j].Value
		}
		err = b.one.run(b.row)
	}
	clear(b.row)
	for j := range b.row {
		b.row[j].Ordinal = j + 1
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

// reset drops the queued rows (after they are written, or a rollback).
// Their values stay in args until the next rows overwrite them: a full
// statement only ever binds values queued since.
func (b *rowBuffer) reset() {
	b.rows, b.n = 0, 0
	b.texts = b.texts[:0]
}

// free releases the buffer's memory; the wconn does it when it closes.
func (b *rowBuffer) free() { b.args, b.row, b.last, b.texts = nil, nil, nil, nil }

// aliasString returns the bytes of b as a string without copying them:
// b must not change while the string is in use (textBytes).
func aliasString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// aliasBytes returns the bytes of s without copying them, for a reader
// that does not change them (decodeBudgetLines): a lines_json column read
// back was copied once by the driver already.
func aliasBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

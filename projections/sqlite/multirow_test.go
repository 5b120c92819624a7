package sqlite

import (
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// openWconn opens a writer connection on a new file with table t (id
// INTEGER, name TEXT, flag INTEGER).
func openWconn(t *testing.T) *wconn {
	t.Helper()
	dc, err := (&sqlite3.SQLiteDriver{}).Open(filepath.Join(t.TempDir(), "rows.db"))
	if err != nil {
		t.Fatal(err)
	}
	w := &wconn{c: dc.(*sqlite3.SQLiteConn)}
	t.Cleanup(func() { w.close() })
	if err := w.execScript("CREATE TABLE t (id INTEGER, name TEXT, flag INTEGER)"); err != nil {
		t.Fatal(err)
	}
	return w
}

// tableRows reads table t back in id order.
func tableRows(t *testing.T, w *wconn) [][]driver.Value {
	t.Helper()
	rows, err := w.c.QueryContext(bg, "SELECT id, name, flag, typeof(name) FROM t ORDER BY rowid", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]driver.Value
	for {
		vals := make([]driver.Value, 4)
		if err := rows.Next(vals); err != nil {
			break
		}
		out = append(out, vals)
	}
	return out
}

// TestRowBufferWritesEveryValueAsGiven: the multi-row path stores integers,
// booleans and texts exactly (empty texts stay texts, not NULL; NUL bytes,
// quotes and non-ASCII survive), whether a full multi-row statement or the
// one-row statement of flush writes them.
func TestRowBufferWritesEveryValueAsGiven(t *testing.T) {
	w := openWconn(t)
	b, err := newRowBuffer(w, "INSERT", "t", "id, name, flag")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"", "Hämäläinen", "a\x00b", "'; DROP TABLE t; --", strings.Repeat("x", 100_000)}
	const n = multiRows + 7 // one full statement and a flushed tail
	if err := w.execScript("BEGIN"); err != nil {
		t.Fatal(err)
	}
	wrote := 0
	for i := range n {
		b.int(int64(i) - 3)
		b.text(names[i%len(names)])
		b.bool(i%2 == 0)
		ok, err := b.end()
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			wrote++
		}
	}
	if wrote != 1 {
		t.Fatalf("full statements written: %d, want 1", wrote)
	}
	if err := b.flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.execScript("COMMIT"); err != nil {
		t.Fatal(err)
	}
	got := tableRows(t, w)
	if len(got) != n {
		t.Fatalf("%d rows, want %d", len(got), n)
	}
	for i, r := range got {
		want := []driver.Value{int64(i) - 3, names[i%len(names)], int64(0), "text"}
		if i%2 == 0 {
			want[2] = int64(1)
		}
		if s, ok := r[1].([]byte); ok {
			r[1] = string(s)
		}
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("row %d = %q, want %q", i, r, want)
		}
	}
}

// TestRowBufferCopiesTextBytesAndRepeatsValues: a text given as a byte
// slice is copied (the caller reuses the slice at once), across full
// statements and flushes that reuse the copies' memory; and a value equal
// to the one before it in its column, which is queued without boxing it
// again, is stored as given, as are the values that differ.
func TestRowBufferCopiesTextBytesAndRepeatsValues(t *testing.T) {
	w := openWconn(t)
	b, err := newRowBuffer(w, "INSERT", "t", "id, name, flag")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.execScript("BEGIN"); err != nil {
		t.Fatal(err)
	}
	const n = 3*multiRows + 5
	var scratch []byte
	want := make([]string, n)
	for i := range n {
		want[i] = fmt.Sprintf("row-%d", i/3) // runs of three equal texts
		b.int(int64(i / 2))                  // runs of two equal integers
		if i%4 == 0 {
			b.text(want[i])
		} else {
			scratch = append(scratch[:0], want[i]...)
			b.textBytes(scratch)
			copy(scratch, "XXXXXXX") // the caller reuses its buffer
		}
		b.bool(false)
		if _, err := b.end(); err != nil {
			t.Fatal(err)
		}
		if i == 2*multiRows+1 {
			if err := b.flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := b.flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.execScript("COMMIT"); err != nil {
		t.Fatal(err)
	}
	got := tableRows(t, w)
	if len(got) != n {
		t.Fatalf("%d rows, want %d", len(got), n)
	}
	for i, r := range got {
		name := r[1]
		if s, ok := name.([]byte); ok {
			name = string(s)
		}
		if r[0] != int64(i/2) || name != want[i] {
			t.Fatalf("row %d = %q, want %d %q", i, r, i/2, want[i])
		}
	}
}

// TestRowBufferRefusesRowsOfTheWrongWidth: a row with too few or too many
// values is an error, and it is not written.
func TestRowBufferRefusesRowsOfTheWrongWidth(t *testing.T) {
	w := openWconn(t)
	b, err := newRowBuffer(w, "INSERT", "t", "id, name, flag")
	if err != nil {
		t.Fatal(err)
	}
	b.int(1)
	b.text("short")
	if _, err := b.end(); err == nil || !strings.Contains(err.Error(), "want 3") {
		t.Fatalf("short row: err %v", err)
	}
	for range 4 {
		b.int(2)
	}
	if _, err := b.end(); err == nil {
		t.Fatal("long row accepted")
	}
	b.int(3)
	b.text("unfinished")
	if err := b.flush(); err == nil || !strings.Contains(err.Error(), "unfinished") {
		t.Fatalf("flush of an unfinished row: err %v", err)
	}
	if err := b.flush(); err != nil {
		t.Fatal(err)
	}
	if got := tableRows(t, w); len(got) != 0 {
		t.Fatalf("rows written: %v", got)
	}
}

// TestRowBufferReportsSQLiteErrors: a constraint failure comes back with
// SQLite's message and the statement, and the buffer stays usable.
func TestRowBufferReportsSQLiteErrors(t *testing.T) {
	w := openWconn(t)
	if err := w.execScript("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	b, err := newRowBuffer(w, "INSERT", "u", "id, name")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1, 1} {
		b.int(id)
		b.text("x")
		if _, err := b.end(); err != nil {
			t.Fatal(err)
		}
	}
	err = b.flush()
	if err == nil || !strings.Contains(err.Error(), "UNIQUE constraint failed") || !strings.Contains(err.Error(), "INSERT INTO u") {
		t.Fatalf("duplicate key: err %v", err)
	}
	b.int(2)
	b.text("y")
	if _, err := b.end(); err != nil {
		t.Fatal(err)
	}
	if err := b.flush(); err != nil {
		t.Fatal(err)
	}
}

// TestRowBufferKnowsWhichRowsItHolds: holds finds a queued row by its
// leading integer until the row is written, by a full statement or by
// flush (a rebuild reads a row back only after writing it).
func TestRowBufferKnowsWhichRowsItHolds(t *testing.T) {
	w := openWconn(t)
	b, err := newRowBuffer(w, "INSERT", "t", "id, name, flag")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.execScript("BEGIN"); err != nil {
		t.Fatal(err)
	}
	queue := func(id int64) {
		b.int(id)
		b.text("x")
		b.bool(false)
		if _, err := b.end(); err != nil {
			t.Fatal(err)
		}
	}
	for id := int64(1); id <= multiRows-1; id++ {
		queue(id * 10)
	}
	if !b.holds(10) || !b.holds(10*(multiRows-1)) || b.holds(15) || b.holds(0) {
		t.Fatal("holds does not tell the queued rows from the others")
	}
	queue(7) // fills the statement, which writes the rows out
	if b.holds(10) || b.holds(7) {
		t.Fatal("rows written by a full statement are still held")
	}
	queue(8)
	if err := b.flushIfHolds(9); err != nil || !b.holds(8) {
		t.Fatalf("flushIfHolds wrote for a row it does not hold (%v)", err)
	}
	if err := b.flushIfHolds(8); err != nil || b.holds(8) {
		t.Fatalf("flushIfHolds kept the row it holds (%v)", err)
	}
	if err := w.execScript("COMMIT"); err != nil {
		t.Fatal(err)
	}
	if got := len(tableRows(t, w)); got != multiRows+1 {
		t.Fatalf("%d rows written, want %d", got, multiRows+1)
	}
}

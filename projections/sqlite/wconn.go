package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// wconn is the writer connection, used through the driver directly: the
// projector's hot path binds arguments into reused buffers and never goes
// through database/sql's per-call allocations. Only the projector's
// goroutine uses it.
type wconn struct {
	c     *sqlite3.SQLiteConn
	stmts []*wstmt
	// buffers are the row buffers on the connection's statements.
	buffers []*rowBuffer
}

// bg is the context of every writer call: it has no Done channel, so the
// driver runs statements without a cancellation goroutine.
var bg = context.Background()

// wstmt is a prepared statement of the writer with a reusable argument buffer.
type wstmt struct {
	sql  string
	s    *sqlite3.SQLiteStmt
	args []driver.NamedValue
}

// prepare compiles a statement once; it lives until the connection closes.
func (w *wconn) prepare(query string) (*wstmt, error) {
	st, err := w.c.PrepareContext(bg, query)
	if err != nil {
		return nil, fmt.Errorf("preparing %q: %w", query, err)
	}
	s := &wstmt{sql: query, s: st.(*sqlite3.SQLiteStmt)}
	n := st.NumInput()
	s.args = make([]driver.NamedValue, n)
	for i := range s.args {
		s.args[i].Ordinal = i + 1
	}
	w.stmts = append(w.stmts, s)
	return s, nil
}

// exec runs the statement with vals bound in order.
func (s *wstmt) exec(vals ...driver.Value) error {
	if len(vals) != len(s.args) {
		return fmt.Errorf("statement %q takes %d arguments, got %d", s.sql, len(s.args), len(vals))
	}
	for i, v := range vals {
		s.args[i].Value = v
	}
	// The driver's query path binds every argument and steps in one cgo
	// call, where its exec path makes one call per argument: a write runs
	// as a query that returns no row.
	err := s.run(s.args)
	for i := range s.args {
		s.args[i].Value = nil
	}
	return err
}

// bind sets the first arguments to vals, in order, and returns them.
func (s *wstmt) bind(vals []driver.Value) []driver.NamedValue {
	for i, v := range vals {
		s.args[i].Value = v
	}
	return s.args[:len(vals)]
}

// unbind drops the first n arguments' values, which may alias payloads.
func (s *wstmt) unbind(n int) {
	for i := range n {
		s.args[i].Value = nil
	}
}

// execCount runs the statement with vals bound in order through the
// driver's exec path and returns the rows it changed.
func (s *wstmt) execCount(vals ...driver.Value) (int64, error) {
	res, err := s.s.ExecContext(bg, s.bind(vals))
	s.unbind(len(vals))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", firstLine(s.sql), err)
	}
	return res.RowsAffected()
}

// run executes the statement with args, numbered from 1 in order, through
// the driver's query path (see exec).
func (s *wstmt) run(args []driver.NamedValue) error {
	rows, err := s.s.QueryContext(bg, args)
	if err == nil {
		err = rows.Close()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", firstLine(s.sql), err)
	}
	return nil
}

// queryRow runs the statement and scans its first row into dest (pointers
// to int64, string, bool or []byte). It returns errNoRow when there is none.
func (s *wstmt) queryRow(dest []any, vals ...driver.Value) error {
	rows, err := s.s.QueryContext(bg, s.bind(vals))
	s.unbind(len(vals))
	if err != nil {
		return fmt.Errorf("%s: %w", firstLine(s.sql), err)
	}
	return scanFirst(rows, dest)
}

// errNoRow is returned by queryRow when the query returns no row.
var errNoRow = errors.New("no row")

// scanFirst reads the first row of rows into dest and closes rows.
func scanFirst(rows driver.Rows, dest []any) error {
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(vals); err != nil {
		if err == io.EOF {
			return errNoRow
		}
		return err
	}
	for i, d := range dest {
		if err := assign(d, vals[i]); err != nil {
			return fmt.Errorf("column %d: %w", i, err)
		}
	}
	return nil
}

// assign stores a driver value into a destination pointer.
func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *int64:
		switch x := v.(type) {
		case int64:
			*d = x
		case nil:
			*d = 0
		default:
			return fmt.Errorf("want an integer, got %T", v)
		}
	case *int:
		switch x := v.(type) {
		case int64:
			*d = int(x)
		case nil:
			*d = 0
		default:
			return fmt.Errorf("want an integer, got %T", v)
		}
	case *bool:
		switch x := v.(type) {
		case int64:
			*d = x != 0
		case bool:
			*d = x
		case nil:
			*d = false
		default:
			return fmt.Errorf("want a boolean, got %T", v)
		}
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
		case []byte:
			*d = string(x)
		case nil:
			*d = ""
		default:
			return fmt.Errorf("want text, got %T", v)
		}
	default:
		return fmt.Errorf("unsupported destination %T", dest)
	}
	return nil
}

// queryRow runs a one-off query and scans its first row.
func (w *wconn) queryRow(query string, args []driver.NamedValue, dest ...any) error {
	rows, err := w.c.QueryContext(bg, query, args)
	if err != nil {
		return err
	}
	return scanFirst(rows, dest)
}

// execScript runs one or more statements without arguments.
func (w *wconn) execScript(script string) error {
	if _, err := w.c.ExecContext(bg, script, nil); err != nil {
		return fmt.Errorf("%s: %w", firstLine(script), err)
	}
	return nil
}

// close finalises the statements and closes the connection.
func (w *wconn) close() error {
	for _, s := range w.stmts {
		s.s.Close()
	}
	w.stmts = nil
	for _, b := range w.buffers {
		b.free()
	}
	w.buffers = nil
	return w.c.Close()
}

// firstLine shortens SQL for error messages.
func firstLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	if len(s) > 80 {
		return s[:80]
	}
	return s
}

// execArgs runs a one-off statement with arguments (for rare events; hot
// paths use prepared statements).
func (w *wconn) execArgs(query string, vals ...driver.Value) error {
	args := make([]driver.NamedValue, len(vals))
	for i, v := range vals {
		args[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	if _, err := w.c.ExecContext(bg, query, args); err != nil {
		return fmt.Errorf("%s: %w", firstLine(query), err)
	}
	return nil
}

package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Sum is the checksum of a read-model database: one hash per table and
// one over all of them.
type Sum struct {
	// Total hashes every table's name and hash in name order.
	Total string
	// Tables maps each table to the hash of its rows in primary-key order.
	Tables map[string]string
}

// Checksum hashes every table of the database open in db, row by row in
// primary-key order, so that two databases holding the same read models
// have the same Sum whatever order their rows were written in.
func Checksum(ctx context.Context, db *sql.DB) (Sum, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return Sum{}, err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return Sum{}, err
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Sum{}, err
	}
	sum := Sum{Tables: map[string]string{}}
	total := sha256.New()
	for _, t := range tables {
		h, err := checksumTable(ctx, db, t)
		if err != nil {
			return Sum{}, fmt.Errorf("table %s: %w", t, err)
		}
		sum.Tables[t] = h
		fmt.Fprintf(total, "%s=%s\n", t, h)
	}
	sum.Total = hex.EncodeToString(total.Sum(nil))
	return sum, nil
}

// Checksum hashes the tables of db (see the function Checksum).
func (db *DB) Checksum(ctx context.Context) (Sum, error) {
	r, err := db.reader()
	if err != nil {
		return Sum{}, err
	}
	return Checksum(ctx, r)
}

// checksumTable hashes one table's rows in primary-key order.
func checksumTable(ctx context.Context, db *sql.DB, table string) (string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name, pk FROM pragma_table_info(?)", table)
	if err != nil {
		return "", err
	}
	type col struct {
		name string
		pk   int
	}
	var pks []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.name, &c.pk); err != nil {
			rows.Close()
			return "", err
		}
		if c.pk > 0 {
			pks = append(pks, c)
		}
	}
	rows.Close()
	sort.Slice(pks, func(i, j int) bool { return pks[i].pk < pks[j].pk })
	var names []string
	for _, c := range pks {
		names = append(names, quoteIdent(c.name))
	}
	if len(names) == 0 {
		// A table keyed by a unique index (mobilities): its rowids depend on
		// the order rows were written in, its key does not.
		if names, err = uniqueKeyOf(ctx, db, table); err != nil {
			return "", err
		}
	}
	order := "rowid"
	if len(names) > 0 {
		order = strings.Join(names, ", ")
	}
	rows, err = db.QueryContext(ctx, "SELECT * FROM "+quoteIdent(table)+" ORDER BY "+order)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(strings.Join(cols, ",") + "\n"))
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var buf [9]byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for _, v := range vals {
			switch x := v.(type) {
			case nil:
				h.Write([]byte{0})
			case int64:
				buf[0] = 1
				binary.BigEndian.PutUint64(buf[1:], uint64(x))
				h.Write(buf[:])
			case float64:
				buf[0] = 2
				binary.BigEndian.PutUint64(buf[1:], math.Float64bits(x))
				h.Write(buf[:])
			case string:
				writeBytes(h, 3, []byte(x))
			case []byte:
				writeBytes(h, 4, x)
			case bool:
				buf[0] = 1
				binary.BigEndian.PutUint64(buf[1:], 0)
				if x {
					buf[8] = 1
				}
				h.Write(buf[:])
			default:
				writeBytes(h, 5, []byte(fmt.Sprint(x)))
			}
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// uniqueKeyOf returns the quoted columns of the first unique index of table
// (by name), or none.
func uniqueKeyOf(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	var index string
	err := db.QueryRowContext(ctx, `SELECT name FROM pragma_index_list(?) WHERE "unique" = 1 ORDER BY name LIMIT 1`, table).Scan(&index)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_index_info(?) ORDER BY seqno", index)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, quoteIdent(n))
	}
	return names, rows.Err()
}

// writeBytes writes a tagged, length-prefixed value.
func writeBytes(h interface{ Write([]byte) (int, error) }, tag byte, b []byte) {
	var pre [9]byte
	pre[0] = tag
	binary.BigEndian.PutUint64(pre[1:], uint64(len(b)))
	h.Write(pre[:])
	h.Write(b)
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

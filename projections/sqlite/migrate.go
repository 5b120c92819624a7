package sqlite

import (
	"crypto/sha256"
	"database/sql/driver"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// migrationFiles are the numbered schema migrations, applied in order.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
	sum     string
}

// migrations lists the embedded migrations in version order.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration file %s: name it NNNN_what.sql", name)
		}
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		h := sha256.Sum256(b)
		out = append(out, migration{version: v, name: name, sql: string(b), sum: hex.EncodeToString(h[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3... without gaps", m.name)
		}
	}
	return out, nil
}

// ErrSchemaChanged is wrapped by the error of Open on a file whose schema
// is not the one this build creates (an edited or a newer migration): read
// models are rebuilt, never patched (Manager does so by itself).
var ErrSchemaChanged = errors.New("the read models' schema differs from this build's")

// SchemaVersion is the schema version this build creates.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// migrate applies the migrations the file lacks, each in its own
// transaction, recording them in schema_migrations with a checksum. A file
// whose recorded migration differs from this build's, or that is newer
// than this build, is refused: read models are rebuilt, not patched.
func migrate(w *wconn) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if err := w.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, -- migration number
    name    TEXT NOT NULL,       -- file name under projections/sqlite/migrations
    sha256  TEXT NOT NULL        -- checksum of the file as applied
)`); err != nil {
		return err
	}
	var have int64
	if err := w.queryRow("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", nil, &have); err != nil {
		return err
	}
	if int(have) > len(ms) {
		return fmt.Errorf("%w: the file has schema version %d, this build knows up to %d; use a newer build or rebuild the read models", ErrSchemaChanged, have, len(ms))
	}
	for _, m := range ms[:have] {
		var sum string
		err := w.queryRow("SELECT sha256 FROM schema_migrations WHERE version = ?",
			[]driver.NamedValue{{Ordinal: 1, Value: int64(m.version)}}, &sum)
		if err != nil {
			return fmt.Errorf("reading migration %d: %w", m.version, err)
		}
		if sum != m.sum {
			return fmt.Errorf("%w: migration %s differs from the one applied to this file; rebuild the read models (grants replay)", ErrSchemaChanged, m.name)
		}
	}
	for _, m := range ms[have:] {
		if err := w.execScript("BEGIN IMMEDIATE"); err != nil {
			return err
		}
		if err := w.execScript(m.sql); err != nil {
			w.execScript("ROLLBACK")
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := w.c.ExecContext(bg, "INSERT INTO schema_migrations (version, name, sha256) VALUES (?, ?, ?)",
			[]driver.NamedValue{{Ordinal: 1, Value: int64(m.version)}, {Ordinal: 2, Value: m.name}, {Ordinal: 3, Value: m.sum}}); err != nil {
			w.execScript("ROLLBACK")
			return err
		}
		if err := w.execScript("COMMIT"); err != nil {
			return err
		}
	}
	return nil
}

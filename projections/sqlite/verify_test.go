package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/internal/history"
)

func TestReadModelsOfAnotherStreamAreRefusedAndRebuilt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "grants.db")
	a := openStore(t, testRegistry)
	generate(t, a, 800)
	m := openManager(t, path, a)
	waitCaughtUp(t, m, a)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// The store is reset: another history now fills the stream.
	b := openStore(t, testRegistry)
	if _, err := history.Generate(testCtx(t), b, history.Config{Events: 1200, Seed: 42, FirstOrg: 7000, MobilitiesPerProject: 20}); err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewProjector(db, ProjectorConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.CatchUp(testCtx(t), b, Until{}); !errors.Is(err, ErrStreamMismatch) {
		t.Fatalf("projecting another stream onto the file: %v, want a stream mismatch", err)
	}
	db.Close()

	// The Manager rebuilds them from the stream it is given.
	m2 := openManager(t, path, b)
	waitCaughtUp(t, m2, b)
	if filepath.Base(m2.Path()) != "grants.db.gen-1" {
		t.Fatalf("serving %s", m2.Path())
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the read models of the old stream are still there: %v", err)
	}
	got, err := m2.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clean := openDB(t, filepath.Join(t.TempDir(), "clean.db"))
	catchUp(t, clean, b, ProjectorConfig{})
	sameSums(t, sum(t, clean), got)
}

func TestReadModelsOfAnotherSchemaAreRebuilt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "grants.db")
	s := openStore(t, testRegistry)
	generate(t, s, 600)
	db := openDB(t, path)
	catchUp(t, db, s, ProjectorConfig{})
	// The file was made by a build whose first migration differed.
	if err := db.w.execScript("UPDATE schema_migrations SET sha256 = 'edited' WHERE version = 1"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), path, Options{}); !errors.Is(err, ErrSchemaChanged) {
		t.Fatalf("opening a file of another schema: %v", err)
	}
	m := openManager(t, path, s)
	waitCaughtUp(t, m, s)
	if filepath.Base(m.Path()) != "grants.db.gen-1" {
		t.Fatalf("serving %s", m.Path())
	}
	got, err := m.Checksum(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clean := openDB(t, filepath.Join(t.TempDir(), "clean.db"))
	catchUp(t, clean, s, ProjectorConfig{})
	sameSums(t, sum(t, clean), got)
}

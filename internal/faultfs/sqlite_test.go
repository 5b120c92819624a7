package faultfs_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/erasmus-ledger/grants/internal/faultfs"
)

// TestSQLiteInWALModeOnTheMount proves that SQLite in WAL mode works on
// the mount (its -shm file is mapped shared into memory), and what a
// read-only fault does to it: a write fails, reads of what was committed
// go on, and once healed the same connection writes again.
func TestSQLiteInWALModeOnTheMount(t *testing.T) {
	m := faultfs.MountT(t)
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(m.Dir(), "t.db")+"?_journal_mode=WAL&_synchronous=NORMAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v; want wal", mode, err)
	}
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	insert := func(n int) error {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		for range n {
			if _, err := tx.Exec("INSERT INTO t (v) VALUES (hex(randomblob(100)))"); err != nil {
				tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	}
	for range 10 {
		if err := insert(100); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(m.Backing(), "t.db-shm")); err != nil {
		t.Fatalf("no shared-memory file: %v", err)
	}
	count := func() int {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM t").Scan(&n); err != nil {
			t.Fatalf("a read: %v", err)
		}
		return n
	}

	m.Set(faultfs.ReadOnly)
	err = insert(100)
	if err == nil {
		t.Fatal("a write to SQLite on a read-only mount succeeded")
	}
	t.Logf("a write on the read-only mount: %v", err)
	if n := count(); n != 1000 {
		t.Errorf("%d rows read on the read-only mount, want 1000", n)
	}

	m.Set(faultfs.Healthy)
	if err := insert(100); err != nil {
		t.Fatalf("a write once healed: %v", err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity check: %q, %v", ok, err)
	}
	if n := count(); n != 1100 {
		t.Errorf("%d rows once healed, want 1100", n)
	}
}

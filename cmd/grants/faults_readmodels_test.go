package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// The fault tests' read-model check: every instance's read models equal a
// fresh replay of the stream (a checksum of every table).

// servedDB is the read-model file an instance's data directory serves
// (the generation its pointer names, else grants.db).
func servedDB(dir string) string {
	path := filepath.Join(dir, "grants.db")
	if b, err := os.ReadFile(path + ".current"); err == nil {
		if name := strings.TrimSpace(string(b)); name != "" {
			return filepath.Join(dir, name)
		}
	}
	return path
}

// fileSum is the checksum of the read models in path, opened read-only.
func fileSum(t *testing.T, path string) sqlite.Sum {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := sqlite.Checksum(context.Background(), db)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sum
}

// freshSum builds the read models from the whole stream into a new file
// in the test process, as a new instance would, and returns their
// checksum.
func freshSum(t *testing.T, f *fleet, l *ledger) sqlite.Sum {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	vault, _, closeVault, err := openVault(ctx, personalFlags{masterKey: &f.master}, dir, l.js, l.replicas, piijs.CachedKeys)
	if err != nil {
		t.Fatal(err)
	}
	defer closeVault()
	m, err := sqlite.OpenManager(ctx, sqlite.ManagerConfig{Path: filepath.Join(dir, "grants.db"), Source: l.store, Registry: aggregates.Registry(), KeyRing: l.ring, Vault: vault})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	last, err := l.store.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	sum, err := m.Checksum(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// sameReadModels fails the test naming the tables of got that differ
// from want.
func sameReadModels(t *testing.T, who string, want, got sqlite.Sum) {
	t.Helper()
	if want.Total == got.Total {
		return
	}
	var diff []string
	for table, h := range want.Tables {
		if got.Tables[table] != h {
			diff = append(diff, table)
		}
	}
	t.Errorf("%s: read models differ from a fresh replay in tables %v", who, diff)
}

// checkReadModels waits until every instance of the fleet (all running)
// has projected the whole stream, stops them, and compares each one's
// read models with a fresh replay.
func checkReadModels(t *testing.T, f *fleet, l *ledger) {
	t.Helper()
	ctx := context.Background()
	last, err := l.store.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Ready means the instance's checkpoint reached the stream's last
	// sequence, which no longer moves.
	for i, base := range f.bases() {
		deadline := time.Now().Add(2 * time.Minute)
		for readyStatus(base) != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("instance %d not ready at sequence %d within 2 minutes: %s", i, last, readyBody(base))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for i := range f.instances {
		f.stop(i)
	}
	want := freshSum(t, f, l)
	for i, in := range f.instances {
		sameReadModels(t, fmt.Sprintf("instance %d", i), want, fileSum(t, servedDB(in.dir)))
	}
}

// readyBody is the answer of GET base/readyz, for a failure's message.
func readyBody(base string) string {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	return fmt.Sprintf("%d %s", resp.StatusCode, b)
}

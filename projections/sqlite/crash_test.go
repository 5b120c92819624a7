package sqlite

import (
	"errors"
	"path/filepath"
	"testing"
)

// errCrash is the failure injected by the crash tests.
var errCrash = errors.New("injected crash")

// TestCrashMidBatchLeavesCheckpointedStateAndResumesExactlyOnce injects a
// failure after some events of a batch are written, and another between
// the batch's checkpoint write and its commit; after each the projector is
// restarted and must end equal to a clean build.
func TestCrashMidBatchLeavesCheckpointedStateAndResumesExactlyOnce(t *testing.T) {
	s := openStore(t, testRegistry)
	n := generate(t, s, 2500)
	dir := t.TempDir()
	clean := openDB(t, filepath.Join(dir, "clean.db"))
	catchUp(t, clean, s, ProjectorConfig{BatchSize: 300})
	want := sum(t, clean)

	cases := []struct {
		name  string
		hooks func(at uint64) Hooks
	}{
		{"after an event inside the batch", func(at uint64) Hooks {
			return Hooks{AfterApply: func(seq uint64) error {
				if seq == at {
					return errCrash
				}
				return nil
			}}
		}},
		{"between checkpoint write and commit", func(at uint64) Hooks {
			return Hooks{BeforeCommit: func(seq uint64) error {
				if seq >= at {
					return errCrash
				}
				return nil
			}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crashed.db")
			crashes := []uint64{1, 517, uint64(n) / 2, uint64(n) - 1}
			for _, at := range crashes {
				db, err := Open(testCtx(t), path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				before := db.Checkpoint()
				p, err := NewProjector(db, ProjectorConfig{BatchSize: 300, Hooks: tc.hooks(at)})
				if err != nil {
					t.Fatal(err)
				}
				_, err = p.CatchUp(testCtx(t), s, Until{})
				if !errors.Is(err, errCrash) {
					t.Fatalf("crash at %d: got %v, want the injected crash", at, err)
				}
				if cp := db.Checkpoint(); cp >= at || cp < before {
					t.Fatalf("crash at %d: checkpoint %d (was %d) includes the failed batch", at, cp, before)
				}
				// The file on disk agrees with the checkpoint in memory.
				var audited, stored int64
				db.r.QueryRow("SELECT COALESCE(MAX(sequence), 0) FROM audit_log").Scan(&audited)
				db.r.QueryRow("SELECT sequence FROM checkpoint").Scan(&stored)
				if uint64(audited) != db.Checkpoint() || uint64(stored) != db.Checkpoint() {
					t.Fatalf("crash at %d: audit log up to %d, stored checkpoint %d, projector says %d", at, audited, stored, db.Checkpoint())
				}
				db.Close()
			}
			db := openDB(t, path)
			catchUp(t, db, s, ProjectorConfig{BatchSize: 300})
			sameSums(t, want, sum(t, db))
		})
	}
}

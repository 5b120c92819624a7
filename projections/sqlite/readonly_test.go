package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/internal/faultfs"
)

// TestProjectionResumesAfterItsDirectoryTurnsReadOnly turns the read
// models' directory read-only under a running Manager (a FUSE mount whose
// every write, through the files SQLite holds open too, answers EROFS):
// the projector fails and Err says so, logged once however often it
// retries, while the read models still answer reads; once writable it
// catches up on the same connections, logs its recovery once, and the
// read models equal a fresh projection.
func TestProjectionResumesAfterItsDirectoryTurnsReadOnly(t *testing.T) {
	mnt := faultfs.MountT(t)
	s := openStore(t, testRegistry)
	generate(t, s, 50)
	var log logBuf
	m, err := OpenManager(context.Background(), ManagerConfig{Path: filepath.Join(mnt.Dir(), "grants.db"), Source: s, RetryDelay: 20 * time.Millisecond, Logger: log.logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	waitCaughtUp(t, m, s)
	before := sum(t, m.cur.Load().db)

	mnt.Set(faultfs.ReadOnly)
	refused := mnt.Refused()
	var last uint64
	for i := range 20 {
		last = appendOrg(t, s, fmt.Sprintf("E7%07d", i), fmt.Sprintf("Koulu %d", i))
	}
	deadline := time.Now().Add(30 * time.Second)
	// Several retries, each refused.
	for (m.Err() == nil || mnt.Refused() < refused+5) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if m.Err() == nil || m.Checkpoint() >= last {
		t.Fatalf("the projector neither failed nor lagged on a read-only directory: err %v, checkpoint %d of %d", m.Err(), m.Checkpoint(), last)
	}
	if !diskFault(m.Err()) {
		t.Errorf("a write on a read-only directory, %v, is not a disk fault", m.Err())
	}
	t.Logf("on a read-only directory, after %d refused operations: %v", mnt.Refused()-refused, m.Err())
	sameSums(t, before, sum(t, m.cur.Load().db))

	mnt.Set(faultfs.Healthy)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.WaitFor(ctx, last); err != nil {
		t.Fatalf("no catch-up after the directory turned writable: %v (projector: %v)", err, m.Err())
	}
	deadline = time.Now().Add(30 * time.Second)
	for m.Err() != nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if m.Err() != nil {
		t.Fatalf("caught up but still failing: %v", m.Err())
	}
	// Err clears once the restarted projector has run RetryDelay without
	// failing (recoverAfterDelay); the end of a disk fault is logged only
	// by the first commit after it (recovered), which may come later.
	for !strings.Contains(log.String(), "the read-model projector recovered") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	out := log.String()
	if n := strings.Count(out, "the read-model projector failed; retrying"); n != 1 {
		t.Errorf("the fault logged %d times above debug, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "the read-model projector recovered"); n != 1 {
		t.Errorf("the recovery logged %d times, want once:\n%s", n, out)
	}
	fresh := openDB(t, filepath.Join(t.TempDir(), "fresh.db"))
	catchUp(t, fresh, s, ProjectorConfig{Registry: testRegistry})
	sameSums(t, sum(t, fresh), sum(t, m.cur.Load().db))
}

// TestDiskFaultsAreToldApart: the errors of a full, read-only or failing
// disk are retried sooner than others (diskRetryDelay); the errors of the
// stream or of an event are not disk faults.
func TestDiskFaultsAreToldApart(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"full", fmt.Errorf("COMMIT: %w", sqlite3.Error{Code: sqlite3.ErrFull}), true},
		{"read-only file system", fmt.Errorf("COMMIT: %w", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.EROFS}), true},
		{"read-only database", sqlite3.Error{Code: sqlite3.ErrReadonly}, true},
		{"cannot open", sqlite3.Error{Code: sqlite3.ErrCantOpen}, true},
		{"ENOSPC from a file", fmt.Errorf("writing: %w", syscall.ENOSPC), true},
		{"EROFS from a file", fmt.Errorf("writing: %w", syscall.EROFS), true},
		{"a constraint", sqlite3.Error{Code: sqlite3.ErrConstraint}, false},
		{"the stream unavailable", apperr.New(apperr.Unavailable, "the event store did not answer"), false},
		{"an undecodable event", fmt.Errorf("x: %w", ErrUndecodable), false},
		{"anything else", errors.New("the event stream ended"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := diskFault(c.err); got != c.want {
				t.Errorf("diskFault(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}

package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

// trustedAfterStop opens the stopped serve's data directory and returns
// the checkpoint a command handler trusts after a restart (the newest tail
// of the newest stream checkpoint) and the stream's last sequence.
func trustedAfterStop(t *testing.T, dir string) (*events.Checkpoint, uint64) {
	t.Helper()
	fs := newFlagSet("test")
	nf := addNATSFlags(fs)
	if err := fs.parse([]string{"--data-dir", dir, "--nats-listen", "off"}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sys, err := openSystem(ctx, nf, false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	cp, err := events.TrustedCheckpoint(ctx, sys.store, sys.ring)
	if err != nil || cp == nil {
		t.Fatalf("trusted checkpoint: %v, %v", cp, err)
	}
	last, err := sys.store.LastSequence(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return cp, last
}

// TestARestartedServeSignsTailCheckpointsFromTheHeadsItKept (issue 16, the
// first seconds after a restart): a serve started on a stream that has a
// checkpoint follows the stream from the heads the previous one kept in
// the data directory, so that at its clean stop its last tail checkpoint
// covers every event it wrote, and the next start checks no signature
// again, even when it stopped before its first whole-stream verification.
// Kept heads that do not verify are not used (and break nothing).
func TestARestartedServeSignsTailCheckpointsFromTheHeadsItKept(t *testing.T) {
	dir := t.TempDir()
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "office", "--data-dir", dir, "--nats-listen", "off")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	heads := filepath.Join(dir, keptHeadsFile)
	run := func(oid string) {
		t.Helper()
		s := startServe(t, dir)
		register(t, s, token, oid)
		s.stop(t)
	}
	run("E10000001") // the first start checkpoints the stream and keeps the heads
	if _, err := os.Stat(heads); err != nil {
		t.Fatalf("no heads kept after a clean stop: %v", err)
	}
	for _, oid := range []string{"E20000002", "E30000003"} {
		run(oid) // restarted on a checkpointed stream, stopped within the minute
		cp, last := trustedAfterStop(t, dir)
		if cp.Sequence != last {
			t.Fatalf("after a restarted serve wrote %s: the trusted checkpoint covers up to %d, the stream ends at %d", oid, cp.Sequence, last)
		}
	}
	// Kept heads that do not verify: not used; the stream's checkpoints
	// are untouched and the serve runs as before.
	if err := os.WriteFile(heads, []byte("not the heads"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := trustedAfterStop(t, dir)
	run("E40000004")
	if cp, _ := trustedAfterStop(t, dir); cp.Sequence != before.Sequence {
		t.Fatalf("with kept heads that do not read: the trusted checkpoint moved from %d to %d", before.Sequence, cp.Sequence)
	}
}

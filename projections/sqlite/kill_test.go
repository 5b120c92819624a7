package sqlite

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/nats-io/nats.go"
)

// The child process of TestKilledProjectorResumesExactlyOnce: it projects
// the stream of the parent's NATS server into the parent's file and kills
// itself with SIGKILL at the sequence (and point) it is told.
const (
	envKillURL   = "GRANTS_TEST_KILL_URL"
	envKillDB    = "GRANTS_TEST_KILL_DB"
	envKillAt    = "GRANTS_TEST_KILL_AT"
	envKillPoint = "GRANTS_TEST_KILL_POINT"
	envKillSeed  = "GRANTS_TEST_KILL_SEED"
)

func killChild(t *testing.T) {
	at, err := strconv.ParseUint(os.Getenv(envKillAt), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	// The child reads as the service identity.
	seed, err := nats.NkeyOptionFromSeed(os.Getenv(envKillSeed))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(os.Getenv(envKillURL), seed, nats.CustomInboxPrefix(jetstream.ServiceInboxPrefix))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jetstream.Open(context.Background(), nc, testRegistry, jetstream.Config{Attach: true})
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(context.Background(), os.Getenv(envKillDB), Options{})
	if err != nil {
		t.Fatal(err)
	}
	kill := func(seq uint64) error {
		if seq >= at {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		return nil
	}
	hooks := Hooks{AfterApply: kill}
	if os.Getenv(envKillPoint) == "commit" {
		hooks = Hooks{BeforeCommit: kill}
	}
	p, err := NewProjector(db, ProjectorConfig{BatchSize: 250, Hooks: hooks})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.CatchUp(context.Background(), s, Until{})
	t.Fatalf("the child was not killed: %v", err)
}

// TestKilledProjectorResumesExactlyOnce kills a projecting process (SIGKILL,
// no clean-up of any kind) in the middle of a batch and between writing a
// batch's checkpoint and committing it, several times over, restarting it
// each time; the file must end equal to a clean build.
func TestKilledProjectorResumesExactlyOnce(t *testing.T) {
	if os.Getenv(envKillDB) != "" {
		killChild(t)
		return
	}
	seedFile := filepath.Join(t.TempDir(), "service.nk")
	kp, err := jetstream.LoadOrCreateSeed(seedFile)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	srv, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1,
		Identities: []jetstream.Identity{{Name: "service", PublicKey: pub, Permissions: jetstream.ServicePermissions()}}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	nc, err := jetstream.ConnectInProcess(srv)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	s, err := jetstream.Open(context.Background(), nc, testRegistry, jetstream.Config{})
	if err != nil {
		t.Fatal(err)
	}
	n := uint64(generate(t, s, 2000))
	clean := openDB(t, filepath.Join(t.TempDir(), "clean.db"))
	catchUp(t, clean, s, ProjectorConfig{})
	want := sum(t, clean)

	for _, point := range []string{"apply", "commit"} {
		t.Run(point, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "killed.db")
			for _, at := range []uint64{100, n / 3, n/3 + 1, n - 5} {
				cmd := exec.Command(os.Args[0], "-test.run=^TestKilledProjectorResumesExactlyOnce$", "-test.count=1")
				cmd.Env = append(os.Environ(), envKillURL+"="+jetstream.ClientURL(srv), envKillDB+"="+path,
					envKillAt+"="+strconv.FormatUint(at, 10), envKillPoint+"="+point, envKillSeed+"="+seedFile)
				out, err := cmd.CombinedOutput()
				ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
				if err == nil || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("kill at %d: the child was not killed (%v):\n%s", at, err, out)
				}
				db, err := Open(context.Background(), path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				var audited int64
				db.r.QueryRow("SELECT COALESCE(MAX(sequence), 0) FROM audit_log").Scan(&audited)
				if cp := db.Checkpoint(); cp >= at || uint64(audited) != cp {
					t.Fatalf("killed at %d: checkpoint %d, audit log up to %d", at, cp, audited)
				}
				db.Close()
			}
			db := openDB(t, path)
			catchUp(t, db, s, ProjectorConfig{})
			sameSums(t, want, sum(t, db))
		})
	}
}

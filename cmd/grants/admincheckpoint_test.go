package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/events"
)

// TestCheckpointOnDemandFromARunningServe: `grants checkpoint export`
// against a running serve (whose service identity may not publish into
// the stream) has the serve write the checkpoint, receives it with every
// head, and `grants verify --against` accepts it.
func TestCheckpointOnDemandFromARunningServe(t *testing.T) {
	dir := t.TempDir()
	s := startServeListening(t, dir, "127.0.0.1:0")
	listen := strings.TrimPrefix(s.nats, "nats://")
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "office", "--data-dir", dir, "--nats-listen", listen)
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	for _, oid := range []string{"E10000001", "E20000002", "E30000003"} {
		register(t, s, token, oid)
	}
	cpFile := filepath.Join(t.TempDir(), "cp.json")
	out, errOut, code := grants(t, "checkpoint", "export", "--out", cpFile, "--data-dir", dir, "--nats-listen", listen)
	if code != 0 {
		t.Fatalf("checkpoint export against a running serve: exit %d: %s%s", code, out, errOut)
	}
	b, err := os.ReadFile(cpFile)
	if err != nil {
		t.Fatal(err)
	}
	var cp events.Checkpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		t.Fatal(err)
	}
	if cp.Chains != 3 || len(cp.Heads) != 3 || cp.Signature == "" || events.HeadsDigest(cp.Heads) != cp.Digest {
		t.Fatalf("exported checkpoint: %d chains, %d heads, signature %q, digest match %v", cp.Chains, len(cp.Heads), cp.Signature, events.HeadsDigest(cp.Heads) == cp.Digest)
	}
	if out, errOut, code := grants(t, "verify", "--against", cpFile, "--data-dir", dir, "--nats-listen", listen); code != 0 {
		t.Fatalf("verify against the checkpoint the running serve wrote: exit %d:\n%s%s", code, out, errOut)
	}
}

// TestCheckpointHeadsGoOnlyToAnInbox: a request cannot make the serve
// publish into the stream or the JetStream API.
func TestCheckpointHeadsGoOnlyToAnInbox(t *testing.T) {
	for _, c := range []struct {
		inbox string
		ok    bool
	}{
		{"_INBOX.abc123", true},
		{"_GRANTS_SVC.x9Y.z", true},
		{"grants.E10000001.organisation.E10000001", false},
		{"$JS.API.STREAM.DELETE.GRANTS", false},
		{"_INBOX.>", false},
		{"_INBOX.*", false},
		{"_INBOX.", false},
		{"_INBOX..a", false},
		{"_INBOX.a b", false},
		{"", false},
	} {
		if got := validInbox(c.inbox); got != c.ok {
			t.Errorf("validInbox(%q) = %v, want %v", c.inbox, got, c.ok)
		}
	}
}

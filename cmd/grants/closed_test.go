package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
)

// TestTokenCommandsAskTheRunningServe: with grants serve running, its NATS
// listener refuses a connection without credentials, the identity files
// are the owner's only, and grants token create, list and revoke work
// through serve's admin request as the data directory's service identity
// (which may not write the token bucket itself).
func TestTokenCommandsAskTheRunningServe(t *testing.T) {
	dir := t.TempDir()
	s := startServeListening(t, dir, "127.0.0.1:0")
	if !strings.HasPrefix(s.nats, "nats://") {
		t.Fatalf("ready line names NATS %q", s.nats)
	}
	if nc, err := nats.Connect(s.nats); err == nil {
		nc.Close()
		t.Fatal("the embedded NATS server accepted a connection without credentials")
	}
	for _, f := range []string{serviceSeedFile, readerSeedFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %04o, want 0600", f, fi.Mode().Perm())
		}
	}
	listen := strings.TrimPrefix(s.nats, "nats://")
	secret, errOut, code := grants(t, "token", "create", "--role", "national-office", "--name", "admin-request", "--data-dir", dir, "--nats-listen", listen)
	if code != 0 {
		t.Fatalf("token create against the running serve: exit %d: %s", code, errOut)
	}
	token := strings.TrimSpace(secret)
	if st, _, body := call(t, "GET", s.base+"/v1/organisations", token, nil, nil); st != http.StatusOK {
		t.Fatalf("the new token is refused: %d %v", st, body)
	}
	list, errOut, code := grants(t, "token", "list", "--json", "--data-dir", dir, "--nats-listen", listen)
	if code != 0 || !strings.Contains(list, "admin-request") {
		t.Fatalf("token list: exit %d: %s %s", code, list, errOut)
	}
	var tokens []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(list), &tokens); err != nil || len(tokens) != 1 {
		t.Fatalf("token list: %v %s", err, list)
	}
	if out, errOut, code := grants(t, "token", "revoke", tokens[0].ID, "--data-dir", dir, "--nats-listen", listen); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("token revoke: exit %d: %s %s", code, out, errOut)
	}
	if st, _, body := call(t, "GET", s.base+"/v1/organisations", token, nil, nil); st != http.StatusUnauthorized {
		t.Fatalf("the revoked token: %d %v, want 401", st, body)
	}
	_, errOut, code = grants(t, "token", "create", "--role", "beneficiary", "--data-dir", dir, "--nats-listen", listen)
	if code != 2 || !strings.Contains(errOut, "org") {
		t.Fatalf("bad token request: exit %d, %s; want status 2 naming the org", code, errOut)
	}
	s.stop(t)
}

// TestAdminRequestsComeFromClients: an admin subject answers requests with
// a client's reply inbox, never a message without a reply or one a
// JetStream consumer delivered (a reader could point a push consumer at
// grants-admin.replay).
func TestAdminRequestsComeFromClients(t *testing.T) {
	cases := []struct {
		rule  string
		reply string
		want  bool
	}{
		{"a request of the grants CLI", "_GRANTS_SVC.abc.1", true},
		{"a request of the nats CLI", "_INBOX.abc", true},
		{"no reply: not a request", "", false},
		{"a consumer's delivery: not a request", "$JS.ACK.GRANTS.push.1.2.3.4.5", false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := adminRequest(&nats.Msg{Subject: adminReplaySubject, Reply: c.reply}); got != c.want {
				t.Fatalf("adminRequest(reply %q) = %v", c.reply, got)
			}
		})
	}
}

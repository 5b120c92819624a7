package main

import (
	"strings"
	"testing"
)

// TestEnvNamesFollowTheSubcommand proves the naming rule of the
// environment fallbacks: GRANTS_<FLAG> for the shared flags,
// GRANTS_<COMMAND>_<FLAG> for the others.
func TestEnvNamesFollowTheSubcommand(t *testing.T) {
	for _, c := range []struct{ set, flag, want string }{
		{"token create", "name", "GRANTS_TOKEN_NAME"},
		{"token create", "role", "GRANTS_TOKEN_ROLE"},
		{"token list", "json", "GRANTS_TOKEN_JSON"},
		{"replay", "out", "GRANTS_REPLAY_OUT"},
		{"serve", "http", "GRANTS_SERVE_HTTP"},
		{"serve", "accept-stream-loss", "GRANTS_SERVE_ACCEPT_STREAM_LOSS"},
		{"bench", "writers", "GRANTS_BENCH_WRITERS"},
		{"serve", "data-dir", "GRANTS_DATA_DIR"},
		{"token revoke", "nats-url", "GRANTS_NATS_URL"},
		{"replay", "db", "GRANTS_DB"},
		{"serve", "log-level", "GRANTS_LOG_LEVEL"},
		{"calls publish", "token", "GRANTS_API_TOKEN"},
		{"rates list", "url", "GRANTS_API_URL"},
		{"rates publish", "token-file", "GRANTS_API_TOKEN_FILE"},
	} {
		fs := newFlagSet(c.set)
		if got := envName(fs.command, c.flag); got != c.want {
			t.Errorf("grants %s --%s: env %s, want %s", c.set, c.flag, got, c.want)
		}
	}
}

// TestGenericEnvNamesDoNotLeakIn is the reason for the rule: GRANTS_NAME,
// GRANTS_ROLE or GRANTS_OUT set in a user's shell for something else are
// not read by grants token create or grants replay.
func TestGenericEnvNamesDoNotLeakIn(t *testing.T) {
	t.Setenv("GRANTS_NAME", "leaked")
	t.Setenv("GRANTS_ROLE", "national-office")
	t.Setenv("GRANTS_OUT", "/tmp/leaked.db")
	fs := newFlagSet("token create")
	name := fs.String("name", "", "")
	role := fs.String("role", "", "")
	rs := newFlagSet("replay")
	out := rs.String("out", "", "")
	if err := fs.parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := rs.parse(nil); err != nil {
		t.Fatal(err)
	}
	if *name != "" || *role != "" || *out != "" {
		t.Fatalf("generic variables leaked in: name %q, role %q, out %q", *name, *role, *out)
	}

	t.Setenv("GRANTS_TOKEN_NAME", "school")
	t.Setenv("GRANTS_DATA_DIR", "/srv/grants")
	fs = newFlagSet("token create")
	name = fs.String("name", "", "whose token it is")
	dir := fs.String("data-dir", "./data", "")
	if err := fs.parse(nil); err != nil {
		t.Fatal(err)
	}
	if *name != "school" || *dir != "/srv/grants" {
		t.Fatalf("name %q, data-dir %q: want the GRANTS_TOKEN_NAME and GRANTS_DATA_DIR values", *name, *dir)
	}
	if u := fs.Lookup("name").Usage; !strings.Contains(u, "(env GRANTS_TOKEN_NAME)") {
		t.Fatalf("the help of --name does not name its variable: %q", u)
	}
}

// TestSharedFlagsAreDefined keeps the list of shared flags honest: each
// names a flag some subcommand defines.
func TestSharedFlagsAreDefined(t *testing.T) {
	fs := newFlagSet("serve")
	serveFlags(fs)
	for name := range sharedFlags {
		if fs.Lookup(name) == nil {
			t.Errorf("shared flag --%s is not a flag of grants serve", name)
		}
	}
}

package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionText(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/erasmus-ledger/grants", Version: "(devel)"},
		Deps:      []*debug.Module{{Path: "github.com/nats-io/nats-server/v2", Version: "v2.15.2"}, {Path: "example.com/other", Version: "v1.0.0"}},
		Settings:  []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-06T12:00:00Z"}, {Key: "vcs.modified", Value: "true"}},
	}
	got := versionText(bi)
	for _, want := range []string{"grants (devel)\n", "commit abc123+modified (2026-12-06T12:00:00Z)\n", "go1.26.8\n", "github.com/nats-io/nats-server/v2 v2.15.2\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("version text lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "example.com/other") {
		t.Errorf("version text lists a module it should not:\n%s", got)
	}
}

func TestVersionCommand(t *testing.T) {
	out, errOut, code := grants(t, "version")
	if code != 0 || !strings.HasPrefix(out, "grants ") || !strings.Contains(out, "github.com/nats-io/nats-server/v2 v") {
		t.Fatalf("grants version: exit %d, out %q, err %q", code, out, errOut)
	}
}

package main

import (
	"fmt"
	"os"
	"runtime/debug"
)

func init() {
	subcommands["version"] = subcommand{summary: "print the build: commit, Go version and the NATS, SQLite and Echo modules", run: runVersion}
}

// versionModules are the dependencies whose versions an operator asks for.
var versionModules = []string{
	"github.com/nats-io/nats-server/v2",
	"github.com/nats-io/nats.go",
	"github.com/mattn/go-sqlite3",
	"github.com/labstack/echo/v4",
}

func runVersion(args []string) error {
	fs := newFlagSet("version")
	if err := fs.parse(args); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("this binary carries no build information")
	}
	fmt.Fprint(os.Stdout, versionText(bi))
	return nil
}

// versionText renders the build information: the module's version, the
// commit and its time (with "+modified" for a dirty tree), the Go version
// and the versions of the modules in versionModules.
func versionText(bi *debug.BuildInfo) string {
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	commit := settings["vcs.revision"]
	if commit == "" {
		commit = "unknown"
	}
	if settings["vcs.modified"] == "true" {
		commit += "+modified"
	}
	out := fmt.Sprintf("grants %s\ncommit %s", bi.Main.Version, commit)
	if t := settings["vcs.time"]; t != "" {
		out += " (" + t + ")"
	}
	out += "\n" + bi.GoVersion + "\n"
	deps := map[string]string{}
	for _, d := range bi.Deps {
		deps[d.Path] = d.Version
	}
	for _, m := range versionModules {
		if v, ok := deps[m]; ok {
			out += m + " " + v + "\n"
		}
	}
	return out
}

// Command grants is the Erasmus+ grant ledger: one binary with subcommands.
//
//	grants serve     start the system (embedded NATS, projections, HTTP API)
//	grants replay    rebuild the read models from the event stream
//	grants token     create, list and revoke API tokens
//	grants bench     measure the event store and replay against raw rates
//	grants version   print the build
//	grants calls     list, publish and correct call rounds (through a running serve)
//	grants rates     list, publish and correct rates tables, recompute grants
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
)

// subcommand is one `grants <name>` entry point. It returns an error wrapped
// in usageError for bad input (exit status 2).
type subcommand struct {
	summary string
	run     func(args []string) error
}

// subcommands is filled by the init functions of the files beside this one.
var subcommands = map[string]subcommand{}

// usageError marks an error the user can fix (bad flag, unreachable server,
// unwritable directory): one line, exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	privateFiles()
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		printUsage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	sc, ok := subcommands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "grants: unknown command %q (try: grants help)\n", os.Args[1])
		os.Exit(2)
	}
	if err := sc.run(os.Args[2:]); err != nil {
		if errors.Is(err, errHelp) {
			return
		}
		var u usageError
		fmt.Fprintf(os.Stderr, "grants %s: %v\n", os.Args[1], err)
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func printUsage() {
	fmt.Fprintln(os.Stderr, "usage: grants <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, subcommands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nEvery flag can also be set by a GRANTS_* environment variable; see grants <command> -h.")
}

// Command grants is the Erasmus+ grant ledger: one binary with subcommands.
//
//	grants serve     start the system (embedded NATS, projections, HTTP API)
//	grants replay    rebuild the read models from the event stream
//	grants token     create, list and revoke API tokens
//	grants bench     measure the event store and replay against raw rates
//	grants version   print the build
//	grants calls     list, publish and correct call rounds (through a running serve)
//	grants rates     list, publish and correct rates tables, recompute grants
//
// Exit statuses: 0 success; 1 runtime failure (a file, a server or the
// store failed, or a token is unknown); 2 usage error (an unknown or
// malformed flag or argument, found before anything is touched); 3 in use
// (the data directory is locked by another grants process, or the HTTP or
// NATS listen address is taken).
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"syscall"
)

// The exit statuses of the binary, documented in `grants help` and the
// README.
const (
	// exitFailure: the command could not do its work at run time.
	exitFailure = 1
	// exitUsage: the command line is wrong (usageError).
	exitUsage = 2
	// exitInUse: another process holds the data directory or the listen
	// address (inUseError).
	exitInUse = 3
)

// subcommand is one `grants <name>` entry point. It returns an error wrapped
// in usageError for a wrong command line (exit status 2), in inUseError
// for a resource another process holds (3); any other error is a runtime
// failure (1).
type subcommand struct {
	summary string
	run     func(args []string) error
}

// subcommands is filled by the init functions of the files beside this one.
var subcommands = map[string]subcommand{}

// usageError marks a wrong command line: an unknown flag, a malformed or
// out-of-range value, a missing or extra argument, flags that exclude each
// other. It is found before the command touches a file, a server or the
// store; exit status 2. A file a flag names that cannot be read, a server
// that cannot be reached, a token that does not exist are runtime
// failures (status 1), not usage errors.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

// usagef returns a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// inUseError marks a resource another process holds: the data directory
// (another grants process runs on it) or a listen address; exit status 3,
// so that a supervisor can tell "already running" from a failure.
type inUseError struct{ err error }

func (u inUseError) Error() string { return u.err.Error() }
func (u inUseError) Unwrap() error { return u.err }

// inUsef returns an inUseError.
func inUsef(format string, args ...any) error { return inUseError{fmt.Errorf(format, args...)} }

// listenError classifies the failure to listen on addr (named by flag):
// an address in use is an inUseError, anything else a runtime failure.
func listenError(flag, addr string, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return inUsef("%s %s is in use by another process (another grants serve?); stop it or choose another address", flag, addr)
	}
	return fmt.Errorf("%s %s: %w", flag, addr, err)
}

// exitStatus is the exit status of a subcommand's error.
func exitStatus(err error) int {
	var u usageError
	var in inUseError
	switch {
	case errors.As(err, &u):
		return exitUsage
	case errors.As(err, &in):
		return exitInUse
	}
	return exitFailure
}

func main() {
	privateFiles()
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		printUsage()
		if len(os.Args) < 2 {
			os.Exit(exitUsage)
		}
		return
	}
	sc, ok := subcommands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "grants: unknown command %q (try: grants help)\n", os.Args[1])
		os.Exit(exitUsage)
	}
	if err := sc.run(os.Args[2:]); err != nil {
		if errors.Is(err, errHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "grants %s: %v\n", os.Args[1], err)
		os.Exit(exitStatus(err))
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
	fmt.Fprintln(os.Stderr, "\nEvery flag can also be set by an environment variable, named in grants <command> -h:\n"+
		"GRANTS_<FLAG> for the flags every command shares (GRANTS_DATA_DIR), GRANTS_<COMMAND>_<FLAG> for\n"+
		"the others (GRANTS_SERVE_HTTP, GRANTS_TOKEN_ROLE).")
	fmt.Fprintln(os.Stderr, "\nexit status:\n"+
		"  0  success\n"+
		"  1  runtime failure (a file, a server or the store failed; an unknown token)\n"+
		"  2  usage error (unknown or malformed flag or argument; nothing was touched)\n"+
		"  3  in use: the data directory is locked by another grants process, or the\n"+
		"     HTTP or NATS listen address is taken")
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// flagSet is a flag.FlagSet whose every flag falls back to a GRANTS_*
// environment variable (see envName), and whose errors are one line.
type flagSet struct {
	*flag.FlagSet
	// command is the subcommand ("token" for grants token create).
	command string
	envErrs []error
}

// newFlagSet returns the flags of `grants <name>`; name may hold an action
// after the subcommand ("token create").
func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet("grants "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	command, _, _ := strings.Cut(name, " ")
	return &flagSet{FlagSet: fs, command: command}
}

// sharedFlags are the flags that mean the same to every subcommand that
// has them: where the store and the read models are, how to reach NATS,
// how to log. Their environment variable is GRANTS_<FLAG>, so that one
// setting serves every command.
var sharedFlags = map[string]bool{
	"data-dir": true, "db": true, "nats-url": true, "nats-listen": true, "nats-creds": true, "nats-nkey": true,
	"replicas": true, "duplicate-window": true, "idempotency-ttl": true, "durability": true, "sync-always": true,
	"log-format": true, "log-level": true, "signing-dir": true, "pd-master-key": true,
}

// clientFlags are the flags of the commands that reach a running serve's
// HTTP API (calls, rates): one setting serves them all, as
// GRANTS_API_<FLAG> (GRANTS_API_TOKEN, GRANTS_API_URL).
var clientFlags = map[string]bool{"url": true, "token": true, "token-file": true}

// envName is THE rule naming the environment variable behind a flag of
// command, in upper snake case: GRANTS_<FLAG> for a shared flag
// (GRANTS_DATA_DIR), GRANTS_<COMMAND>_<FLAG> for any other
// (GRANTS_TOKEN_NAME, GRANTS_SERVE_HTTP), GRANTS_API_<FLAG> for a flag of
// clientFlags, so that a generic name such as
// NAME, ROLE or OUT set in a user's shell for something else never leaks
// into a command.
func envName(command, flagName string) string {
	name := flagName
	switch {
	case clientFlags[flagName]:
		name = "api_" + flagName
	case !sharedFlags[flagName]:
		name = command + "_" + flagName
	}
	return "GRANTS_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// env looks up the environment variable behind the flag name.
func (f *flagSet) env(name string) (key, value string, ok bool) {
	key = envName(f.command, name)
	value, ok = os.LookupEnv(key)
	return key, value, ok
}

func (f *flagSet) String(name, def, usage string) *string {
	key, v, ok := f.env(name)
	if ok {
		def = v
	}
	return f.FlagSet.String(name, def, usage+" (env "+key+")")
}

func (f *flagSet) Int(name string, def int, usage string) *int {
	key, v, ok := f.env(name)
	if ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q is not a whole number", key, v))
		} else {
			def = n
		}
	}
	return f.FlagSet.Int(name, def, usage+" (env "+key+")")
}

func (f *flagSet) Bool(name string, def bool, usage string) *bool {
	key, v, ok := f.env(name)
	if ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q is not true or false", key, v))
		} else {
			def = b
		}
	}
	return f.FlagSet.Bool(name, def, usage+" (env "+key+")")
}

func (f *flagSet) Duration(name string, def time.Duration, usage string) *time.Duration {
	key, v, ok := f.env(name)
	if ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q is not a duration such as 2m or 30s", key, v))
		} else {
			def = d
		}
	}
	return f.FlagSet.Duration(name, def, usage+" (env "+key+")")
}

// parse parses args; -h prints the flags and returns errHelp.
func (f *flagSet) parse(args []string) error {
	if len(f.envErrs) > 0 {
		return usageError{f.envErrs[0]}
	}
	err := f.FlagSet.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		f.SetOutput(os.Stderr)
		fmt.Fprintf(os.Stderr, "usage of %s:\n", f.Name())
		f.PrintDefaults()
		return errHelp
	}
	if err != nil {
		return usageError{err}
	}
	if f.NArg() > 0 {
		return usagef("unexpected argument %q", f.Arg(0))
	}
	return nil
}

// errHelp ends a subcommand after printing its help; exit status 0.
var errHelp = errors.New("help")

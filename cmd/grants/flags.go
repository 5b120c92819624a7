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
// environment variable, and whose errors are one line.
type flagSet struct {
	*flag.FlagSet
	envErrs []error
}

func newFlagSet(name string) *flagSet {
	fs := flag.NewFlagSet("grants "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flagSet{FlagSet: fs}
}

// envName is the environment variable behind a flag: GRANTS_ + upper snake case.
func envName(flagName string) string {
	return "GRANTS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *flagSet) String(name, def, usage string) *string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	return f.FlagSet.String(name, def, usage+" (env "+envName(name)+")")
}

func (f *flagSet) Int(name string, def int, usage string) *int {
	if v, ok := os.LookupEnv(envName(name)); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q is not a whole number", envName(name), v))
		} else {
			def = n
		}
	}
	return f.FlagSet.Int(name, def, usage+" (env "+envName(name)+")")
}

func (f *flagSet) Bool(name string, def bool, usage string) *bool {
	if v, ok := os.LookupEnv(envName(name)); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q is not true or false", envName(name), v))
		} else {
			def = b
		}
	}
	return f.FlagSet.Bool(name, def, usage+" (env "+envName(name)+")")
}

func (f *flagSet) Duration(name string, def time.Duration, usage string) *time.Duration {
	if v, ok := os.LookupEnv(envName(name)); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.envErrs = append(f.envErrs, fmt.Errorf("%s=%q is not a duration such as 2m or 30s", envName(name), v))
		} else {
			def = d
		}
	}
	return f.FlagSet.Duration(name, def, usage+" (env "+envName(name)+")")
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

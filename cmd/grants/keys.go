package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/erasmus-ledger/grants/events/keys"
)

func init() {
	subcommands["keys"] = subcommand{summary: "list, rotate and export the event signing keys (list|rotate|export)", run: runKeys}
}

// keysUsage is the help of `grants keys`.
const keysUsage = `usage:
  grants keys list
  grants keys rotate
  grants keys export [--format json|pem]

The service signs every event with its active Ed25519 key, kept in
<data-dir>/signing/keys.json (mode 0600; --signing-dir points elsewhere).
rotate adds a new active key and keeps the old public keys, so that events
signed before stay valid; restart grants serve to sign with the new key
(it trusts it at once). export prints the public keys only.`

func runKeys(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, keysUsage)
		if len(args) == 0 {
			return usagef("a keys command is required: list, rotate or export")
		}
		return errHelp
	}
	fs := newFlagSet("keys " + args[0])
	nf := addNATSFlags(fs)
	format := fs.String("format", "json", "export format: json or pem")
	if err := fs.parse(args[1:]); err != nil {
		return err
	}
	dir := signingDir(nf)
	switch args[0] {
	case "list":
		s, err := keys.Load(dir)
		if err != nil {
			return usagef("signing keys in %s: %v", dir, err)
		}
		tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY ID\tSTATE\tCREATED\tRETIRED")
		for _, k := range s.Keys {
			state, retired := "retired", ""
			if k.ID == s.Active {
				state = "active"
			}
			if k.Retired != nil {
				retired = k.Retired.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, state, k.Created.Format(time.RFC3339), retired)
		}
		return tw.Flush()
	case "rotate":
		s, err := keys.Rotate(dir, time.Now())
		if err != nil {
			return usagef("signing keys in %s: %v", dir, err)
		}
		fmt.Println(s.Active)
		return nil
	case "export":
		s, err := keys.Load(dir)
		if err != nil {
			return usagef("signing keys in %s: %v", dir, err)
		}
		var b []byte
		switch *format {
		case "json":
			b, err = s.ExportJSON()
			b = append(b, '\n')
		case "pem":
			b, err = s.ExportPEM()
		default:
			return usagef("--format %q: want json or pem", *format)
		}
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(b)
		return err
	}
	return usagef("unknown keys command %q: want list, rotate or export", args[0])
}

// keysRingFromJSON trusts the keys of a `grants keys export` file.
var keysRingFromJSON = keys.RingFromJSON

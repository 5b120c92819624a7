package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	pd "github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/export"
)

func init() {
	subcommands["export"] = subcommand{summary: "export the event log as NDJSON CloudEvents for analysts, pseudonymised (events --from --to --clock --out)", run: runExport}
}

const exportUsage = `usage: grants export events [--from SEQ|TIME] [--to SEQ|TIME] [--clock recorded|effective] [--out FILE] [--personal-data --reason TEXT]

Writes the event log as NDJSON: one CloudEvents 1.0 event (JSON format) per
line, pseudonymised (PD-EXPORT-PSEUDONYMOUS), streamed (bounded memory).
Open it with pandas.read_json(f, lines=True), DuckDB read_json_auto or
R's jsonlite::stream_in.`

func runExport(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(os.Stderr, exportUsage)
		if len(args) == 0 {
			return usagef("an export is required: events")
		}
		return errHelp
	}
	if args[0] != "events" {
		return usagef("unknown export %q: want events", args[0])
	}
	fs := newFlagSet("export")
	nf := addNATSFlags(fs)
	from := fs.String("from", "", "first event: a stream sequence, or a time (RFC 3339, or a date: its start, UTC) on the --clock")
	to := fs.String("to", "", "last event: a stream sequence, or a time (RFC 3339, or a date: its end, UTC) on the --clock")
	clock := fs.String("clock", string(events.DefaultTimeAxis), "the clock the times are read on (ASOF-CLOCK): recorded or effective")
	out := fs.String("out", "-", "the NDJSON file to write (a new file), or - for standard output")
	personal := fs.Bool("personal-data", false, "keep the personal blocks and the actors' identities (national office; needs --reason and a running grants serve, which records the disclosure first: PD-DISCLOSE-REASON)")
	reason := fs.String("reason", "", "with --personal-data: why the national office discloses personal data")
	if err := fs.parse(args[1:]); err != nil {
		return err
	}
	o, err := exportOptions(*from, *to, *clock)
	if err != nil {
		return err
	}
	o.Personal = *personal
	if *reason != "" && !*personal {
		return usagef("--reason goes with --personal-data")
	}
	disclosure := aggregates.Disclosure{Scope: aggregates.ScopeEventExport, Reason: *reason, Channel: "cli", Range: exportRange(*from, *to, o.Axis)}
	if *personal {
		if err := (aggregates.RecordDisclosure{Disclosure: disclosure}).Validate(); err != nil {
			return usagef("--reason: %v", err)
		}
	}
	var w io.Writer = os.Stdout
	var f *os.File
	if *out != "-" {
		if f, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("--out %s exists; choose a new file name", *out)
			}
			return err
		}
		w = f
	}
	log, err := newLogger("text", "info")
	if err != nil {
		return err
	}
	ctx, sys, done, err := openOneOff(nf, log)
	if err != nil {
		if f != nil {
			f.Close()
			os.Remove(*out)
		}
		return err
	}
	defer done()
	if *personal {
		seq, err := recordDisclosure(ctx, sys, disclosure)
		if err != nil {
			if f != nil {
				f.Close()
				os.Remove(*out)
			}
			return err
		}
		log.Info("disclosure of personal data recorded", "sequence", seq)
		// The running serve opens the sealed blocks: the keys stay there.
		o.Open = pd.DiscloseFunc(ctx, remoteOpener{nc: sys.nc, seq: seq})
	}
	start := time.Now()
	st, err := export.Write(ctx, sys.store, w, o)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("export cut short after %d events: %w", st.Events, err)
	}
	log.Info("events exported", "events", st.Events, "first_sequence", st.First, "last_sequence", st.Last, "personal_data", *personal, "seconds", round(time.Since(start).Seconds()))
	if st.Events == 0 {
		fmt.Fprintf(os.Stderr, "warning: ASOF-EMPTY: no event %s: the export is empty\n", orAll(exportRange(*from, *to, o.Axis)))
	}
	return nil
}

// exportOptions reads the range and clock of an export (CLI and API share
// the words).
func exportOptions(from, to, clock string) (export.Options, error) {
	axis, ok := events.ParseTimeAxis(clock)
	if !ok {
		return export.Options{}, usagef("--clock %q: use recorded or effective (ASOF-CLOCK)", clock)
	}
	f, ok := export.ParseBound(from, false)
	if !ok {
		return export.Options{}, usagef("--from %q: want a stream sequence (1500) or a time (2024-06-30 or 2024-06-30T12:00:00Z)", from)
	}
	t, ok := export.ParseBound(to, true)
	if !ok {
		return export.Options{}, usagef("--to %q: want a stream sequence (1500) or a time (2024-06-30 or 2024-06-30T12:00:00Z)", to)
	}
	if f.Sequence != 0 && t.Sequence != 0 && f.Sequence > t.Sequence || !f.At.IsZero() && !t.At.IsZero() && f.At.After(t.At) {
		return export.Options{}, usagef("--from %s is after --to %s", from, to)
	}
	return export.Options{From: f, To: t, Axis: axis}, nil
}

// exportRange describes an export's range for messages and the disclosure.
func exportRange(from, to string, axis events.TimeAxis) string {
	if from == "" && to == "" {
		return ""
	}
	s := ""
	if from != "" {
		s = "from " + from
	}
	if to != "" {
		if s != "" {
			s += " "
		}
		s += "to " + to
	}
	return s + " (" + string(axis) + " clock)"
}

func orAll(s string) string {
	if s == "" {
		return "in the stream"
	}
	return s
}

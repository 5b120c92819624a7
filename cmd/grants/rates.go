package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/api"
)

func runRates(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(os.Stderr, ratesUsage)
		if len(args) == 0 {
			return usagef("give an action: list, show, publish, correct or recompute")
		}
		return nil
	}
	action, rest := args[0], args[1:]
	fs := newFlagSet("rates " + action)
	base, token, tokenFile := addClientFlags(fs)
	var (
		year                  *int
		file, reason, project *string
		asJSON                *bool
	)
	switch action {
	case "list":
		asJSON = fs.Bool("json", false, "print JSON instead of a table")
	case "show":
		year = fs.Int("call-year", 0, "the call year")
	case "publish", "correct":
		file = fs.String("file", "", "the rates table (JSON, one table with its call_year, source and confirmed)")
		if action == "correct" {
			reason = fs.String("reason", "", "why the table is corrected (kept in the audit history)")
		}
	case "recompute":
		project = fs.String("project", "", "the project whose grants are recomputed")
		reason = fs.String("reason", "", "why (kept in the audit history)")
	default:
		return usagef("unknown action %q: use list, show, publish, correct or recompute", action)
	}
	c, err := parseForAPI(fs, rest, base, token, tokenFile)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	switch action {
	case "list":
		var idx api.RatesIndex
		if err := c.do(ctx, "GET", "/v1/rates", nil, &idx); err != nil {
			return err
		}
		if *asJSON {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(idx)
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "CALL\tCONFIRMED\tSOURCE")
		for _, t := range idx.Tables {
			fmt.Fprintf(w, "%d\t%v\t%s\n", t.CallYear, t.Confirmed, t.Source)
		}
		return w.Flush()
	case "show":
		var t json.RawMessage
		if err := c.do(ctx, "GET", "/v1/rates/"+strconv.Itoa(*year), nil, (*rawJSON)(&t)); err != nil {
			return err
		}
		var b bytes.Buffer
		if err := json.Indent(&b, t, "", "  "); err != nil {
			return err
		}
		b.WriteByte('\n')
		_, err := os.Stdout.Write(b.Bytes())
		return err
	case "publish", "correct":
		if *file == "" {
			return usagef("--file is required: the rates table as JSON")
		}
		data, err := os.ReadFile(*file)
		if err != nil {
			return usagef("cannot read --file: %v", err)
		}
		t, err := rates.ParseTable(data)
		if err != nil {
			return usagef("%s: %v", *file, err)
		}
		body := map[string]any{"call_year": t.CallYear, "table": json.RawMessage(data)}
		path := "/v1/rates"
		if action == "correct" {
			body["reason"] = *reason
			path = "/v1/rates/corrections"
		}
		var res api.CommandResponse
		if err := c.do(ctx, "POST", path, body, &res); err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "%s: rates of call %d (%s, confirmed %v) (sequence %d)\n", eventTypes(res), t.CallYear, t.Source, t.Confirmed, res.Sequence)
		return nil
	default:
		if *project == "" {
			return usagef("--project is required")
		}
		var res api.CommandResponse
		if err := c.do(ctx, "POST", "/v1/projects/"+url.PathEscape(*project)+"/grant-recomputation", map[string]any{"reason": *reason}, &res); err != nil {
			return err
		}
		changed := 0
		for _, e := range res.Events {
			if e.Type == "MobilityCorrected" {
				changed++
			}
		}
		fmt.Fprintf(os.Stdout, "grants of %s recomputed: %d mobilities changed (sequence %d)\n", *project, changed, res.Sequence)
		return nil
	}
}

// rawJSON receives an answer's body as it is.
type rawJSON json.RawMessage

// UnmarshalJSON keeps the bytes.
func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append((*r)[:0], b...)
	return nil
}

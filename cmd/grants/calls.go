package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/erasmus-ledger/grants/api"
)

func init() {
	subcommands["calls"] = subcommand{summary: "list, publish and correct call rounds (through a running serve)", run: runCalls}
	subcommands["rates"] = subcommand{summary: "list, publish and correct rates tables, recompute grants (through a running serve)", run: runRates}
}

const callsUsage = `usage:
  grants calls list    [--call-year 2027] [--action KA122] [--open] [--json]
  grants calls publish --call-year 2027 --round 1 --action KA122 --deadline 2027-02-18
                       [--fields vet,adult] [--start-from 2027-06-01] [--start-to 2027-12-31]
  grants calls correct (the same flags) --reason "why"

Call rounds are the national office's data, recorded as events by a running
grants serve: give its --url and a national-office token (GRANTS_API_TOKEN, or
--token-file) to publish or correct; any token lists.`

const ratesUsage = `usage:
  grants rates list      [--json]
  grants rates show      --call-year 2026
  grants rates publish   --file table.json
  grants rates correct   --file table.json --reason "why"
  grants rates recompute --project 2026-1-FI01-KA122-SCH-000000001 --reason "why"

A rates table file is one table as 'grants rates show' prints it, with its
"source" and "confirmed" flag. A correction changes no grant already
computed: 'grants rates recompute' records the office's decision to
recompute one project's grants with the rates in force.`

func runCalls(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(os.Stderr, callsUsage)
		if len(args) == 0 {
			return usagef("give an action: list, publish or correct")
		}
		return nil
	}
	action, rest := args[0], args[1:]
	fs := newFlagSet("calls " + action)
	base, token, tokenFile := addClientFlags(fs)
	year := fs.Int("call-year", 0, "the call year")
	var (
		round                                   *int
		act, deadline, fields, from, to, reason *string
		open, asJSON                            *bool
	)
	switch action {
	case "list":
		act = fs.String("action", "", "only the rounds of this action (KA121, KA122, KA210, KA220, KA202)")
		open = fs.Bool("open", false, "only the rounds open now")
		asJSON = fs.Bool("json", false, "print JSON instead of a table")
	case "publish", "correct":
		round = fs.Int("round", 0, "the round (1, 2, ...)")
		act = fs.String("action", "", "the action: KA121, KA122, KA210, KA220 or KA202")
		deadline = fs.String("deadline", "", "the deadline day YYYY-MM-DD (12:00 Brussels time)")
		fields = fs.String("fields", "", "comma-separated fields the round is open in (empty: every field)")
		from = fs.String("start-from", "", "first start date of the round's projects, YYYY-MM-DD (CALL-START)")
		to = fs.String("start-to", "", "last start date of the round's projects, YYYY-MM-DD")
		if action == "correct" {
			reason = fs.String("reason", "", "why the round is corrected (kept in the audit history)")
		}
	default:
		return usagef("unknown action %q: use list, publish or correct", action)
	}
	c, err := parseForAPI(fs, rest, base, token, tokenFile)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	if action == "list" {
		q := url.Values{}
		if *year != 0 {
			q.Set("call_year", strconv.Itoa(*year))
		}
		if *act != "" {
			q.Set("action", *act)
		}
		if *open {
			q.Set("open", "true")
		}
		var out api.CallsList
		if err := c.do(ctx, "GET", "/v1/calls?"+q.Encode(), nil, &out); err != nil {
			return err
		}
		return printCalls(os.Stdout, out, *asJSON)
	}
	body := map[string]any{"call_year": *year, "round": *round, "action": *act, "deadline": *deadline}
	if *fields != "" {
		body["fields"] = strings.Split(*fields, ",")
	}
	if *from != "" {
		body["start_from"] = *from
	}
	if *to != "" {
		body["start_to"] = *to
	}
	path := "/v1/calls"
	if action == "correct" {
		body["reason"] = *reason
		path = "/v1/calls/corrections"
	}
	var res api.CommandResponse
	if err := c.do(ctx, "POST", path, body, &res); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "%s: call %d round %d of %s, deadline %s (sequence %d)\n", eventTypes(res), *year, *round, *act, *deadline, res.Sequence)
	return nil
}

func printCalls(out io.Writer, l api.CallsList, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(l)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "CALL\tROUND\tACTION\tFIELDS\tDEADLINE\tSTART WINDOW\tSTATE\tORIGIN")
	for _, r := range l.Rounds {
		fields := "all"
		if len(r.Fields) > 0 {
			fields = strings.Join(r.Fields, ",")
		}
		window := "-"
		if !r.StartFrom.IsZero() || !r.StartTo.IsZero() {
			window = dateOr(r.StartFrom.String(), r.StartFrom.IsZero()) + ".." + dateOr(r.StartTo.String(), r.StartTo.IsZero())
		}
		state := "closed"
		if r.Open {
			state = "open"
		}
		fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s 12:00 Brussels\t%s\t%s\t%s\n", r.CallYear, r.Round, r.Action, fields, r.Deadline, window, state, r.Origin)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d of %d rounds open at %s\n", l.Open, len(l.Rounds), l.Now.Format(time.RFC3339))
	return nil
}

func dateOr(s string, zero bool) string {
	if zero {
		return ""
	}
	return s
}

func eventTypes(res api.CommandResponse) string {
	ts := make([]string, len(res.Events))
	for i, e := range res.Events {
		ts[i] = e.Type
	}
	if len(ts) == 0 {
		return "nothing recorded"
	}
	return strings.Join(ts, ", ")
}

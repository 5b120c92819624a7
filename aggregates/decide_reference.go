package aggregates

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// decideReference decides the national office's reference commands on the
// office's portfolio p (its Reference) over d's built-in tables. It
// returns ok false for any other command.
func (d *Domain) decideReference(ctx Context, p Portfolio, cmd Command) (ev []Event, ok bool, err error) {
	eff := d.WithReference(p.Reference)
	switch c := cmd.(type) {
	case PublishCallRound:
		if _, exists := findRound(eff.deadlines(), c.CallYear, c.Round, c.Action); exists {
			return nil, true, duplicate("round", "call %d round %d of %s is already in the deadline table; correct it instead", c.CallYear, c.Round, c.Action)
		}
		return []Event{CallRoundPublished{CallRound: normaliseRound(c.CallRound), PublishedOn: today(ctx)}}, true, nil
	case CorrectCallRound:
		old, exists := findRound(eff.deadlines(), c.CallYear, c.Round, c.Action)
		if !exists {
			return nil, true, apperr.New(apperr.NotFound, "call %d has no round %d of %s to correct; publish it instead", c.CallYear, c.Round, c.Action)
		}
		prev := CallRound{CallYear: old.CallYear, Round: old.Round, Action: c.Action, Fields: old.Fields,
			Deadline: old.Day, StartFrom: old.StartFrom, StartTo: old.StartTo}
		return []Event{CallRoundCorrected{CallRound: normaliseRound(c.CallRound), Previous: prev,
			Reason: strings.TrimSpace(c.Reason), CorrectedOn: today(ctx)}}, true, nil
	case PublishRatesTable:
		t, err := parseRatesCommand(c.CallYear, c.Table)
		if err != nil {
			return nil, true, err
		}
		if eff.Rates != nil {
			if _, err := eff.Rates.Year(c.CallYear); err == nil {
				return nil, true, duplicate("call_year", "call year %d has a rates table already; correct it instead", c.CallYear)
			}
		}
		return []Event{RatesTablePublished{CallYear: c.CallYear, Source: t.Source, Confirmed: t.Confirmed,
			Table: compactJSON(c.Table), PublishedOn: today(ctx)}}, true, nil
	case CorrectRatesTable:
		t, err := parseRatesCommand(c.CallYear, c.Table)
		if err != nil {
			return nil, true, err
		}
		if eff.Rates == nil {
			return nil, true, apperr.New(apperr.NotFound, "call year %d has no rates table to correct; publish it instead", c.CallYear)
		}
		old, err := eff.Rates.Year(c.CallYear)
		if err != nil {
			return nil, true, apperr.New(apperr.NotFound, "call year %d has no rates table to correct; publish it instead", c.CallYear)
		}
		return []Event{RatesTableCorrected{CallYear: c.CallYear, Source: t.Source, Confirmed: t.Confirmed,
			Table: compactJSON(c.Table), PreviousSource: old.Source, PreviousConfirmed: old.Confirmed,
			Reason: strings.TrimSpace(c.Reason), CorrectedOn: today(ctx)}}, true, nil
	}
	return nil, false, nil
}

// normaliseRound keeps a round's fields in a stable order.
func normaliseRound(r CallRound) CallRound {
	if len(r.Fields) == 0 {
		r.Fields = nil
		return r
	}
	fs := make([]string, 0, len(r.Fields))
	for _, f := range ProjectFields() {
		if contains(r.Fields, f) {
			fs = append(fs, f)
		}
	}
	r.Fields = fs
	return r
}

// decideRecompute recomputes the grant of every reported, not cancelled
// mobility of pr with the rates in force (d's), in the order they were
// reported. Nothing else is checked again: the mobilities stay as they
// were accepted. The answer is a GrantsRecomputed event followed by one
// MobilityCorrected per changed grant, or a GrantsRecomputed alone when
// no grant changes.
func (d *Domain) decideRecompute(ctx Context, p Portfolio, pr Project, c RecomputeGrants) ([]Event, error) {
	if err := requireOpen(pr, "recomputing the grants", false); err != nil {
		return nil, err
	}
	if !IsMobilityAction(pr.Action) && pr.Action != ActionKA202 {
		return nil, lifecycle("MOB-ACTION", "project %s is a %s partnership funded by a lump sum; only the mobility grants of KA121, KA122 and KA202 projects are recomputed", pr.ID, pr.Action)
	}
	t, err := d.table(pr.CallYear)
	if err != nil {
		return nil, err
	}
	if pr.isLean() {
		return nil, needFacts(pr.ID)
	}
	reason := strings.TrimSpace(c.Reason)
	on := today(ctx)
	ids := sortedMobilityIDs(pr)
	// In the order they were reported, so that per-participant limits and
	// the organisational-support rank are judged as when they were.
	sort.SliceStable(ids, func(i, j int) bool { return pr.facts[ids[i]].seq < pr.facts[ids[j]].seq })
	cur := p
	var changed []Event
	for _, id := range ids {
		now := cur.Projects[pr.ID]
		r := now.Mobilities[id]
		if r.Cancelled {
			continue
		}
		g, err := grantOf(t, now, r.Mobility, r.DistanceKm)
		if err != nil {
			return nil, err
		}
		if sameGrant(g, r.Grant) {
			continue
		}
		ev := MobilityCorrected{ProjectID: pr.ID, OID: pr.OID, Action: pr.Action, CallYear: pr.CallYear, Mobility: r.Mobility,
			Days: r.Days, DistanceKm: r.DistanceKm, Grant: g, PreviousTotalCents: r.Grant.TotalCents,
			Reason: "grants recomputed: " + reason, CorrectedOn: on}
		changed = append(changed, ev)
		cur = Evolve(cur, ev)
	}
	after := cur.Projects[pr.ID]
	head := GrantsRecomputed{ProjectID: pr.ID, OID: pr.OID, CallYear: pr.CallYear, RatesSource: t.Source, Changed: len(changed),
		PreviousReportedCents: pr.ReportedCents, ReportedCents: after.ReportedCents, Reason: reason, RecomputedOn: on}
	return append([]Event{head}, changed...), nil
}

// compactJSON returns raw without insignificant white space (raw is valid
// JSON: the command's table was parsed).
func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// sameGrant reports whether two breakdowns pay the same amounts on the
// same lines (explanations aside).
func sameGrant(a, b GrantBreakdown) bool {
	if a.TotalCents != b.TotalCents || len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		x, y := a.Lines[i], b.Lines[i]
		if x.Category != y.Category || x.Rule != y.Rule || x.AmountCents != y.AmountCents {
			return false
		}
	}
	return true
}

package aggregates

import (
	"encoding/json"
	"strconv"

	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func callsRef(year int) events.Ref {
	return events.Ref{Org: OfficeOrg, Kind: KindCalls, ID: strconv.Itoa(year)}
}

func ratesRef(year int) events.Ref {
	return events.Ref{Org: OfficeOrg, Kind: KindRates, ID: strconv.Itoa(year)}
}

// PublishCallRound publishes a call round the deadline table does not hold
// yet (the national office's; CALL-DEADLINE).
type PublishCallRound struct {
	CallRound
}

// CommandType implements Command.
func (PublishCallRound) CommandType() string { return "PublishCallRound" }

// Target implements Command.
func (c PublishCallRound) Target() events.Ref { return callsRef(c.CallYear) }

// OrgWide implements Command: reference data is decided on everything the
// office published, so a round is never published twice.
func (PublishCallRound) OrgWide() bool { return true }

// Validate checks the fields.
func (c PublishCallRound) Validate() error { return validateRound(c.CallRound) }

// CorrectCallRound replaces a round of the deadline table, built-in or
// published, with corrected dates or fields. Applications already
// submitted stay as they are.
type CorrectCallRound struct {
	CallRound
	// Reason says why (kept in the audit history).
	Reason string `json:"reason"`
}

// CommandType implements Command.
func (CorrectCallRound) CommandType() string { return "CorrectCallRound" }

// Target implements Command.
func (c CorrectCallRound) Target() events.Ref { return callsRef(c.CallYear) }

// OrgWide implements Command.
func (CorrectCallRound) OrgWide() bool { return true }

// Validate checks the fields.
func (c CorrectCallRound) Validate() error {
	if err := validateRound(c.CallRound); err != nil {
		return err
	}
	var k check
	k.text("reason", c.Reason, true)
	return k.result()
}

func validateRound(r CallRound) error {
	var k check
	if r.CallYear < legacyFirstYear || r.CallYear > 2100 {
		k.fail("call_year", "call year %d is not plausible", r.CallYear)
	}
	if r.Round < 1 || r.Round > 9 {
		k.fail("round", "round %d: rounds count from 1 to 9", r.Round)
	}
	k.oneOf("action", r.Action, Actions())
	for i, f := range r.Fields {
		k.oneOf("fields["+strconv.Itoa(i)+"]", f, ProjectFields())
		if contains(r.Fields[:i], f) {
			k.fail("fields["+strconv.Itoa(i)+"]", "field %q is given twice", f)
		}
	}
	k.date("deadline", r.Deadline)
	k.optionalDate("start_from", r.StartFrom)
	k.optionalDate("start_to", r.StartTo)
	if !r.StartFrom.IsZero() && !r.StartTo.IsZero() && r.StartTo.Before(r.StartFrom) {
		k.fail("start_to", "the start window ends on %s, before it begins on %s", r.StartTo, r.StartFrom)
	}
	return k.result()
}

// PublishRatesTable publishes the rates table of a call year the ledger
// has no table for (BUD-RATES-DATA). Table is the table's JSON, as GET
// /v1/rates/{year} shows it, with its source and confirmed flag.
type PublishRatesTable struct {
	CallYear int             `json:"call_year"`
	Table    json.RawMessage `json:"table"`
}

// CommandType implements Command.
func (PublishRatesTable) CommandType() string { return "PublishRatesTable" }

// Target implements Command.
func (c PublishRatesTable) Target() events.Ref { return ratesRef(c.CallYear) }

// OrgWide implements Command.
func (PublishRatesTable) OrgWide() bool { return true }

// Validate checks the fields and the table.
func (c PublishRatesTable) Validate() error {
	_, err := parseRatesCommand(c.CallYear, c.Table)
	return err
}

// CorrectRatesTable replaces the rates table of a call year. Grants
// already computed do not change: the office decides to recompute them
// (RecomputeGrants).
type CorrectRatesTable struct {
	CallYear int             `json:"call_year"`
	Table    json.RawMessage `json:"table"`
	// Reason says why (kept in the audit history).
	Reason string `json:"reason"`
}

// CommandType implements Command.
func (CorrectRatesTable) CommandType() string { return "CorrectRatesTable" }

// Target implements Command.
func (c CorrectRatesTable) Target() events.Ref { return ratesRef(c.CallYear) }

// OrgWide implements Command.
func (CorrectRatesTable) OrgWide() bool { return true }

// Validate checks the fields and the table.
func (c CorrectRatesTable) Validate() error {
	if _, err := parseRatesCommand(c.CallYear, c.Table); err != nil {
		return err
	}
	var k check
	k.text("reason", c.Reason, true)
	return k.result()
}

// parseRatesCommand validates a published table of callYear.
func parseRatesCommand(callYear int, table json.RawMessage) (*rates.Table, error) {
	if callYear < legacyFirstYear || callYear > 2100 {
		return nil, apperr.InvalidField("call_year", "call year %d is not plausible", callYear)
	}
	if len(table) == 0 {
		return nil, apperr.InvalidField("table", "the rates table is required")
	}
	t, err := rates.ParseTable(table)
	if err != nil {
		ae := apperr.As(err)
		c := *ae
		if c.Field != "" {
			c.Field = "table." + c.Field
		} else {
			c.Field = "table"
		}
		return nil, &c
	}
	if t.CallYear != callYear {
		return nil, apperr.InvalidField("table.call_year", "the table is of call year %d, not %d", t.CallYear, callYear)
	}
	return t, nil
}

// RecomputeGrants recomputes the grants of a project's reported mobilities
// with the rates table now in force for its call year, as the national
// office decides after a rates correction. Each changed grant is recorded
// as a MobilityCorrected event, after a GrantsRecomputed event that says
// why; no grant changes otherwise.
type RecomputeGrants struct {
	ProjectID string `json:"project_id"`
	// Reason says why (kept in the audit history).
	Reason string `json:"reason"`
}

// CommandType implements Command.
func (RecomputeGrants) CommandType() string { return "RecomputeGrants" }

// Target implements Command.
func (c RecomputeGrants) Target() events.Ref { return projectRef("", c.ProjectID) }

// OrgWide implements Command.
func (RecomputeGrants) OrgWide() bool { return false }

// Validate checks the fields.
func (c RecomputeGrants) Validate() error {
	var k check
	k.id("project_id", c.ProjectID)
	k.text("reason", c.Reason, true)
	return k.result()
}

// UsesReference reports whether deciding cmd reads the call rounds or the
// rates tables, so the command handler brings the national office's
// reference data up to date before deciding it.
func UsesReference(cmd Command) bool {
	switch derefCommand(cmd).(type) {
	case SubmitApplication, DecideApplication, AmendProject, ReportMobility, CorrectMobility, RecomputeGrants:
		return true
	}
	return false
}

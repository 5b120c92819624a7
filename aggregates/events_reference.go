package aggregates

import "encoding/json"

// CallRoundPublished records a call round the national office published.
type CallRoundPublished struct {
	CallRound
	PublishedOn Date `json:"published_on"`
}

// EventType implements Event.
func (CallRoundPublished) EventType() string { return "CallRoundPublished" }

// CallRoundCorrected records a corrected round; Previous is the round as
// it stood before (built-in or published).
type CallRoundCorrected struct {
	CallRound
	Previous    CallRound `json:"previous"`
	Reason      string    `json:"reason"`
	CorrectedOn Date      `json:"corrected_on"`
}

// EventType implements Event.
func (CallRoundCorrected) EventType() string { return "CallRoundCorrected" }

// RatesTablePublished records the rates table of a call year, with its
// source and whether the office confirmed its figures.
type RatesTablePublished struct {
	CallYear    int             `json:"call_year"`
	Source      string          `json:"source"`
	Confirmed   bool            `json:"confirmed"`
	Table       json.RawMessage `json:"table"`
	PublishedOn Date            `json:"published_on"`
}

// EventType implements Event.
func (RatesTablePublished) EventType() string { return "RatesTablePublished" }

// RatesTableCorrected records a corrected rates table. Grants computed
// before it keep their amounts until a GrantsRecomputed.
type RatesTableCorrected struct {
	CallYear          int             `json:"call_year"`
	Source            string          `json:"source"`
	Confirmed         bool            `json:"confirmed"`
	Table             json.RawMessage `json:"table"`
	PreviousSource    string          `json:"previous_source"`
	PreviousConfirmed bool            `json:"previous_confirmed"`
	Reason            string          `json:"reason"`
	CorrectedOn       Date            `json:"corrected_on"`
}

// EventType implements Event.
func (RatesTableCorrected) EventType() string { return "RatesTableCorrected" }

// GrantsRecomputed records the national office's decision to recompute a
// project's mobility grants with the rates in force; the MobilityCorrected
// events that follow it in the same append carry the changed grants.
type GrantsRecomputed struct {
	ProjectID   string `json:"project_id"`
	OID         string `json:"oid"`
	CallYear    int    `json:"call_year"`
	RatesSource string `json:"rates_source"`
	// Changed counts the mobilities whose grant changed.
	Changed               int    `json:"changed"`
	PreviousReportedCents int64  `json:"previous_reported_cents"`
	ReportedCents         int64  `json:"reported_cents"`
	Reason                string `json:"reason"`
	RecomputedOn          Date   `json:"recomputed_on"`
}

// EventType implements Event.
func (GrantsRecomputed) EventType() string { return "GrantsRecomputed" }

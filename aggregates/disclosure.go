package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// KindDisclosures is the kind of the national office's aggregate that
// records every disclosure of personal data (PersonalDataDisclosed).
const KindDisclosures = "disclosures"

// disclosuresRef is the one disclosures aggregate.
var disclosuresRef = events.Ref{Org: OfficeOrg, Kind: KindDisclosures, ID: "personal-data"}

// Scopes of a disclosure: what left the ledger with personal data in it.
const (
	// ScopeReplayFile: a grants replay --out file with the participants table.
	ScopeReplayFile = "replay-file"
	// ScopeMobilityCSV: the mobility CSV export with personal columns.
	ScopeMobilityCSV = "mobility-csv"
	// ScopeEventExport: the NDJSON event export with the personal blocks.
	ScopeEventExport = "event-export"
	// ScopeAccessExport: the right-of-access export of one participant.
	ScopeAccessExport = "access-export"
)

// DisclosureScopes lists the scopes.
func DisclosureScopes() []string {
	return []string{ScopeReplayFile, ScopeMobilityCSV, ScopeEventExport, ScopeAccessExport}
}

// Disclosure says what personal data left the ledger, why and to whom; it
// holds no personal data itself (a participant is named by its
// pseudonymous ID). Who asked is the event's actor.
type Disclosure struct {
	// Scope is one of DisclosureScopes.
	Scope string `json:"scope"`
	// Org and ParticipantID narrow the scope to one organisation or one
	// participant (empty: every one).
	Org           string `json:"org,omitempty"`
	ParticipantID string `json:"participant_id,omitempty"`
	// Range is the part of the history disclosed (e.g. "until 2026-06-30
	// (recorded time)"), empty for all of it.
	Range string `json:"range,omitempty"`
	// Reason says why the national office discloses (PD-DISCLOSE-REASON).
	Reason string `json:"reason"`
	// Channel is the way out: "cli" (a grants command run beside the
	// ledger) or "api".
	Channel string `json:"channel"`
}

// RecordDisclosure records a disclosure of personal data before the data
// leave (national office only; PD-DISCLOSE-REASON). It is issued by the
// ledger itself when the office asks for personal data explicitly, never
// through a route of its own.
type RecordDisclosure struct {
	Disclosure
}

// CommandType implements Command.
func (RecordDisclosure) CommandType() string { return "RecordDisclosure" }

// Target implements Command.
func (RecordDisclosure) Target() events.Ref { return disclosuresRef }

// Validate checks the fields: a scope and a reason.
func (c RecordDisclosure) Validate() error {
	var k check
	k.oneOf("scope", c.Scope, DisclosureScopes())
	if c.Org != "" {
		k.id("org", c.Org)
	}
	if c.ParticipantID != "" {
		k.id("participant_id", c.ParticipantID)
	}
	k.text("range", c.Range, false)
	k.oneOf("channel", c.Channel, []string{"cli", "api"})
	if k.err != nil {
		return k.result()
	}
	k.text("reason", c.Reason, false)
	if k.err == nil && len([]rune(strings.TrimSpace(c.Reason))) < 3 {
		e := apperr.InvalidField("reason", "personal data leave the ledger only with a reason the national office gives (at least a few words), which is recorded")
		e.Rule = "PD-DISCLOSE-REASON"
		return e
	}
	return k.result()
}

// PersonalDataDisclosed records that personal data left the ledger: what
// (Scope, Org, ParticipantID, Range), why (Reason) and how (Channel); who
// is the event's actor. It carries no personal data.
type PersonalDataDisclosed struct {
	Disclosure
	DisclosedOn Date `json:"disclosed_on"`
}

// EventType implements Event.
func (PersonalDataDisclosed) EventType() string { return "PersonalDataDisclosed" }

// decideDisclosure records the disclosure; authorise has let only the
// national office through.
func decideDisclosure(ctx Context, c RecordDisclosure) (Event, error) {
	return PersonalDataDisclosed{Disclosure: c.Disclosure, DisclosedOn: DateOf(ctx.Now)}, nil
}

// OrgWide implements Command: a disclosure is decided on its own aggregate.
func (RecordDisclosure) OrgWide() bool { return false }

package sqlite

import (
	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// registerDisclosureHandlers projects the disclosures of personal data
// (PD-DISCLOSE-REASON): they live in the audit log only (actor, reason,
// and this summary of the scope), which every event gets.
func registerDisclosureHandlers(hs map[string]*handler) {
	on(hs, func(*applier, *events.Envelope, *aggregates.PersonalDataDisclosed) error { return nil },
		func(_ *events.Envelope, e *aggregates.PersonalDataDisclosed) string {
			s := "Personal data disclosed (" + e.Channel + "): " + e.Scope
			if e.Org != "" {
				s += " of " + e.Org
			}
			if e.ParticipantID != "" {
				s += ", participant " + e.ParticipantID
			}
			if e.Range != "" {
				s += ", " + e.Range
			}
			return s
		})
}

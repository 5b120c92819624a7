package aggregates

import (
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// decideErase erases a participant of the organisation once (PD-ERASE).
func decideErase(ctx Context, p Portfolio, c EraseParticipant) (Event, error) {
	if !p.Organisation.Registered {
		return nil, apperr.New(apperr.NotFound, "organisation %s is not registered", c.OID)
	}
	if on, ok := p.Organisation.ErasedParticipants[c.ParticipantID]; ok {
		return nil, apperr.RuleField("PD-ERASE", "participant_id", "the personal data of participant %s of %s was erased on %s already; an erasure is final and happens once", c.ParticipantID, p.OID, on)
	}
	if ids := leanProjectsWithMobilities(p); len(ids) > 0 {
		return nil, needFacts(ids...)
	}
	if !p.HasParticipant(c.ParticipantID) {
		return nil, &apperr.Error{Code: apperr.NotFound, Field: "participant_id", Rule: "PD-ERASE",
			Message: "organisation " + p.OID + " has reported no mobility of participant " + c.ParticipantID}
	}
	return ParticipantErased{OID: p.OID, ParticipantID: c.ParticipantID, ErasedOn: today(ctx), Retention: c.Retention, Reason: strings.TrimSpace(c.Reason)}, nil
}

// HasParticipant reports whether a mobility of participant id was reported
// in one of the organisation's projects.
func (p Portfolio) HasParticipant(id string) bool {
	for _, pr := range p.Projects {
		if id != "" {
			// The participant index lists every mobility, cancelled
			// ones too, by its participant.
			if len(pr.byParticipant[id]) > 0 {
				return true
			}
			continue
		}
		for _, f := range pr.facts {
			if f.participantID == id {
				return true
			}
		}
	}
	return false
}

// checkPersonalInput refuses a sealed block in a command (PD-SEALED: only
// the ledger seals) and personal data for a participant whose personal
// data was erased (PD-ERASE: it would be readable again).
func checkPersonalInput(p Portfolio, m Mobility) error {
	if m.PersonalSealed != nil {
		return apperr.RuleField("PD-SEALED", "personal_sealed", "personal data is given in plain text in personal; the ledger seals it itself")
	}
	if m.Personal == (Personal{}) {
		return nil
	}
	if on, ok := p.Organisation.ErasedParticipants[m.ParticipantID]; ok {
		return apperr.RuleField("PD-ERASE", "personal", "the personal data of participant %s was erased on %s; report the mobility without personal data", m.ParticipantID, on)
	}
	return nil
}

// keepSealed carries the sealed personal data of the mobility before a
// correction over to the corrected mobility when the correction gives none
// for the same participant.
func keepSealed(m, old Mobility) Mobility {
	if m.Personal == (Personal{}) && m.PersonalSealed == nil && m.ParticipantID == old.ParticipantID {
		m.PersonalSealed = old.PersonalSealed
	}
	return m
}

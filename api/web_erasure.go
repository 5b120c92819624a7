package api

import (
	"context"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
)

// The national office erases a participant's personal data (PD-ERASE)
// with the generic organisation command form, its reason required by the
// domain: /ui/organisations/{oid}/commands/eraseParticipant?participant_id=…,
// offered next to each participant of the project page. The page never
// shows personal data: only the pseudonymous participant ID, and
// "erased" once they are.
func init() { orgCommands = append(orgCommands, "eraseParticipant") }

// projectErasures says which of a project's participants are erased
// (the project page marks them), and whether p's role may erase.
func (s *Server) projectErasures(ctx context.Context, role, oid string, mobs []projections.MobilityView) (map[string]bool, bool, error) {
	erased := map[string]bool{}
	for _, m := range mobs {
		if _, seen := erased[m.ParticipantID]; seen || m.ParticipantID == "" {
			continue
		}
		v, err := s.d.Reader.Participant(ctx, oid, m.ParticipantID)
		if err != nil && apperr.CodeOf(err) != apperr.NotFound {
			return nil, false, err
		}
		erased[m.ParticipantID] = err == nil && v.Erased
	}
	return erased, role == aggregates.RoleNationalOffice, nil
}

// Package personal is the step between the domain's decisions and the
// event store that keeps participants' personal data out of the stream in
// plain text (PD-SEALED): it seals the personal block of every decided
// mobility event with the participant's key (events/pii) and destroys the
// key of a participant whose erasure was decided (PD-ERASE). It is pure:
// the keys are behind the pii.Vault interface.
package personal

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/pii"
)

// Sealer seals the decided events of a command before they are appended,
// so that their hashes and signatures cover the ciphertext.
type Sealer struct {
	Vault pii.Vault
}

// SubjectOf returns the data subject of a mobility of organisation oid.
func SubjectOf(oid string, m aggregates.Mobility) pii.Subject {
	return pii.Subject{Org: oid, Participant: m.ParticipantID}
}

// SealDrafts implements the command handler's sealing hook: it returns the
// drafts with every plain personal block sealed, and destroys the key of
// every participant erased by them (before the event is appended: the
// erasure holds even if the append is retried).
func (s Sealer) SealDrafts(ctx context.Context, drafts []events.Draft) ([]events.Draft, error) {
	var out []events.Draft
	for i, d := range drafts {
		var err error
		var p any
		switch e := d.Payload.(type) {
		case aggregates.MobilityReported:
			if e.Mobility, err = s.seal(ctx, e.OID, e.Mobility); e.Mobility.PersonalSealed != nil {
				p = e
			}
		case aggregates.MobilityCorrected:
			if e.Mobility, err = s.seal(ctx, e.OID, e.Mobility); e.Mobility.PersonalSealed != nil {
				p = e
			}
		case aggregates.ParticipantErased:
			if err := s.Vault.Destroy(ctx, pii.Subject{Org: e.OID, Participant: e.ParticipantID}); err != nil {
				return nil, apperr.Wrap(apperr.Unavailable, err, "the participant's key could not be destroyed (PD-ERASE); nothing was recorded, try again")
			}
		}
		if err != nil {
			return nil, err
		}
		if p != nil {
			if out == nil {
				out = append([]events.Draft(nil), drafts...)
			}
			out[i].Payload = p
		}
	}
	if out == nil {
		return drafts, nil
	}
	return out, nil
}

// seal moves m's plain personal block into its sealed form.
func (s Sealer) seal(ctx context.Context, oid string, m aggregates.Mobility) (aggregates.Mobility, error) {
	if m.Personal == (aggregates.Personal{}) {
		return m, nil
	}
	plain, err := json.Marshal(m.Personal)
	if err != nil {
		return m, apperr.Wrap(apperr.Internal, err, "internal error")
	}
	b, err := s.Vault.Seal(ctx, SubjectOf(oid, m), plain)
	clear(plain)
	if errors.Is(err, pii.ErrErased) {
		return m, apperr.RuleField("PD-ERASE", "personal", "the personal data of participant %s was erased; report the mobility without personal data", m.ParticipantID)
	}
	if err != nil {
		return m, apperr.Wrap(apperr.Unavailable, err, "the participant's personal data could not be sealed (PD-SEALED); nothing was recorded, try again")
	}
	m.Personal = aggregates.Personal{}
	m.PersonalSealed = &b
	return m, nil
}

// Open returns the personal data of a sealed block; pii.ErrErased once the
// participant's key is destroyed.
func Open(ctx context.Context, v pii.Vault, b pii.Sealed) (aggregates.Personal, error) {
	plain, err := v.Open(ctx, b)
	if err != nil {
		return aggregates.Personal{}, err
	}
	var p aggregates.Personal
	if err := json.Unmarshal(plain, &p); err != nil {
		return aggregates.Personal{}, err
	}
	return p, nil
}

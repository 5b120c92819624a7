package sqlite

import (
	"errors"
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// registerOrganisationHandlers projects the organisation aggregate's events.
func registerOrganisationHandlers(hs map[string]*handler) {
	on(hs, applyOrganisationRegistered, func(_ *events.Envelope, e *aggregates.OrganisationRegistered) string {
		return fmt.Sprintf("Organisation %s registered: %s (%s, %s), %s", e.OID, e.LegalName, e.City, e.Country, e.Kind)
	})
	on(hs, applyAccreditationApplied, func(_ *events.Envelope, e *aggregates.AccreditationApplied) string {
		return fmt.Sprintf("Accreditation %s applied for by %s: %s field, %s, Erasmus plan %d-%d with %d objectives",
			e.AccreditationID, e.OID, e.Field, e.Kind, e.Plan.FromYear, e.Plan.ToYear, len(e.Plan.Objectives))
	})
	on(hs, applyAccreditationDecided, func(_ *events.Envelope, e *aggregates.AccreditationDecided) string {
		return fmt.Sprintf("Accreditation %s of %s %s on %s (%s field, %s)", e.AccreditationID, e.OID, e.Outcome, e.DecidedOn, e.Field, e.Kind)
	})
	on(hs, applyAccreditationWithdrawn, func(_ *events.Envelope, e *aggregates.AccreditationWithdrawn) string {
		return fmt.Sprintf("Accreditation %s of %s withdrawn on %s", e.AccreditationID, e.OID, e.WithdrawnOn)
	})
}

func applyOrganisationRegistered(a *applier, env *events.Envelope, e *aggregates.OrganisationRegistered) error {
	o, err := a.org(e.OID)
	if err != nil {
		return err
	}
	if o == nil {
		o = &orgRow{oid: e.OID, registeredAt: events.FormatTime(env.OccurredAt)}
	}
	o.name, o.country, o.city, o.kind = e.LegalName, e.Country, e.City, e.Kind
	a.putOrg(o)
	return nil
}

// accFacts is what the projector reads back about an accreditation.
type accFacts struct {
	year                         int64
	field, kind, status, outcome string
}

// statOutcome is the stat_accreditations outcome the application counts under.
func (f accFacts) statOutcome() string {
	switch {
	case f.outcome != "":
		return f.outcome
	case f.status == aggregates.AccreditationStatusWithdrawn:
		return "withdrawn"
	}
	return "pending"
}

func (f accFacts) key() statAccKey {
	return statAccKey{year: f.year, field: f.field, kind: f.kind, outcome: f.statOutcome()}
}

// accreditation reads the stored facts of an accreditation application.
func (a *applier) accreditation(id string) (accFacts, bool, error) {
	var f accFacts
	err := a.st.accGet.queryRow([]any{&f.year, &f.field, &f.kind, &f.status, &f.outcome}, id)
	if errors.Is(err, errNoRow) {
		return f, false, nil
	}
	return f, err == nil, err
}

func applyAccreditationApplied(a *applier, env *events.Envelope, e *aggregates.AccreditationApplied) error {
	year := int64(e.AppliedOn.Year())
	if e.AppliedOn.IsZero() {
		year = int64(env.OccurredAt.UTC().Year())
	}
	if old, found, err := a.accreditation(e.AccreditationID); err != nil {
		return err
	} else if found {
		// Applied again under the same ID: the application replaces the old one.
		if err := a.addAccreditationStat(old.key(), -1); err != nil {
			return err
		}
	}
	if err := a.st.accPut.exec(e.AccreditationID, e.OID, e.Field, e.Kind, year, aggregates.AccreditationStatusApplied, "",
		int64(e.Plan.FromYear), int64(e.Plan.ToYear), e.AppliedOn.String(), "", "", int64(env.Sequence)); err != nil {
		return err
	}
	return a.addAccreditationStat(statAccKey{year: year, field: e.Field, kind: e.Kind, outcome: "pending"}, 1)
}

func applyAccreditationDecided(a *applier, env *events.Envelope, e *aggregates.AccreditationDecided) error {
	f, found, err := a.accreditation(e.AccreditationID)
	if err != nil {
		return err
	}
	if !found {
		// A decision on an application recorded before the ledger: the
		// decision alone makes the application known.
		f = accFacts{year: int64(e.DecidedOn.Year()), field: e.Field, kind: e.Kind, status: aggregates.AccreditationStatusApplied}
		if err := a.st.accPut.exec(e.AccreditationID, e.OID, e.Field, e.Kind, f.year, f.status, "",
			int64(0), int64(0), "", "", "", int64(env.Sequence)); err != nil {
			return err
		}
	} else if err := a.addAccreditationStat(f.key(), -1); err != nil {
		return err
	}
	f.outcome = e.Outcome
	if err := a.addAccreditationStat(f.key(), 1); err != nil {
		return err
	}
	return a.w.execArgs("UPDATE accreditations SET status = ?, outcome = ?, decided_on = ?, sequence = ? WHERE id = ?",
		e.Outcome, e.Outcome, e.DecidedOn.String(), int64(env.Sequence), e.AccreditationID)
}

func applyAccreditationWithdrawn(a *applier, env *events.Envelope, e *aggregates.AccreditationWithdrawn) error {
	f, found, err := a.accreditation(e.AccreditationID)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("accreditation %s was withdrawn but never applied for", e.AccreditationID)
	}
	if err := a.addAccreditationStat(f.key(), -1); err != nil {
		return err
	}
	f.status = aggregates.AccreditationStatusWithdrawn
	if err := a.addAccreditationStat(f.key(), 1); err != nil {
		return err
	}
	return a.w.execArgs("UPDATE accreditations SET status = ?, withdrawn_on = ?, sequence = ? WHERE id = ?",
		f.status, e.WithdrawnOn.String(), int64(env.Sequence), e.AccreditationID)
}

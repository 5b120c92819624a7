package sqlite

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// Mobility statuses in the read models.
const (
	mobReported  = "reported"
	mobCorrected = "corrected"
	mobCancelled = "cancelled"
)

// registerMobilityHandlers projects the mobility events of a project.
func registerMobilityHandlers(hs map[string]*handler) {
	on(hs, applyMobilityReported, func(_ *events.Envelope, e *aggregates.MobilityReported) string {
		m := &e.Mobility
		return fmt.Sprintf("Mobility %s of project %s reported: participant %s, %s %s to %s, %s to %s (%d days), grant %s",
			m.MobilityID, e.ProjectID, m.ParticipantID, m.Activity, m.SendingCountry, m.ReceivingCountry, m.StartDate, m.EndDate, e.Days, eur(e.Grant.TotalCents))
	})
	on(hs, applyMobilityCorrected, func(_ *events.Envelope, e *aggregates.MobilityCorrected) string {
		m := &e.Mobility
		return fmt.Sprintf("Mobility %s of project %s corrected: %s %s to %s, %s to %s (%d days), grant %s (was %s)",
			m.MobilityID, e.ProjectID, m.Activity, m.SendingCountry, m.ReceivingCountry, m.StartDate, m.EndDate, e.Days, eur(e.Grant.TotalCents), eur(e.PreviousTotalCents))
	})
	on(hs, applyMobilityCancelled, func(_ *events.Envelope, e *aggregates.MobilityCancelled) string {
		return fmt.Sprintf("Mobility %s of project %s cancelled on %s: %s no longer counts", e.MobilityID, e.ProjectID, e.CancelledOn, eur(e.CancelledCents))
	})
}

// mobilityInput is what reported and corrected mobilities have in common.
type mobilityInput struct {
	projectID, org, action string
	callYear               int
	m                      *aggregates.Mobility
	days, distanceKm       int
	grant                  *aggregates.GrantBreakdown
}

// facts returns what the statistics need to know about the mobility.
func (in *mobilityInput) facts() mobilityFacts {
	m := in.m
	return mobilityFacts{
		participantID: m.ParticipantID, activity: m.Activity, sendingCountry: m.SendingCountry, receivingCountry: m.ReceivingCountry,
		callYear: int64(in.callYear), action: in.action, days: int64(in.days), grant: in.grant.TotalCents, persons: int64(m.Persons),
		green: m.GreenTravel, fewer: m.FewerOpportunities, ukraine: m.Ukraine != nil, accompanying: m.Accompanying,
	}
}

// statKey is the statistics row a mobility of project p counts in.
func (f *mobilityFacts) statKey(field string) statMobKey {
	return statMobKey{callYear: f.callYear, action: f.action, field: field, activity: f.activity,
		sendingCountry: f.sendingCountry, receivingCountry: f.receivingCountry,
		green: f.green, fewerOpportunities: f.fewer, ukraine: f.ukraine}
}

// linesJSON encodes the grant breakdown as the view's lines.
func linesJSON(g *aggregates.GrantBreakdown) (string, error) {
	lines := make([]projections.GrantLine, len(g.Lines))
	for i, l := range g.Lines {
		lines[i] = projections.GrantLine{Category: l.Category, Rule: l.Rule, AmountCents: l.AmountCents, Explanation: l.Explanation}
	}
	b, err := json.Marshal(lines)
	return string(b), err
}

// putMobility writes the mobility row and the participant's personal data.
func (a *applier) putMobility(env *events.Envelope, in *mobilityInput, status, reportedOn, changedOn string, revision int64) error {
	m := in.m
	lines, err := linesJSON(in.grant)
	if err != nil {
		return err
	}
	if err := a.st.mobPut.exec(in.projectID, m.MobilityID, in.org, m.ParticipantID, in.action, int64(in.callYear), m.Activity,
		m.SendingCountry, m.ReceivingCountry, m.ReceivingCity, m.SendingOrganisation, m.ReceivingOrganisation,
		m.StartDate.String(), m.EndDate.String(), int64(in.days), int64(m.TravelDays), int64(in.distanceKm), m.GreenTravel,
		m.FewerOpportunities, m.Ukraine != nil, m.Accompanying, m.GroupID, int64(m.Persons), status, in.grant.TotalCents, lines,
		reportedOn, changedOn, revision, int64(env.Sequence)); err != nil {
		return err
	}
	pd := &m.Personal
	if *pd == (aggregates.Personal{}) {
		return nil
	}
	return a.st.partPut.exec(in.org, m.ParticipantID, pd.FirstName, pd.LastName, pd.BirthDate.String(), pd.Email, pd.Gender,
		pd.Nationality, int64(env.Sequence))
}

// storedMobility reads the facts of a stored mobility.
func (a *applier) storedMobility(projectID, id string) (mobilityFacts, error) {
	var f mobilityFacts
	err := a.st.mobGet.queryRow([]any{&f.participantID, &f.activity, &f.sendingCountry, &f.receivingCountry, &f.status, &f.reportedOn,
		&f.callYear, &f.action, &f.days, &f.grant, &f.persons, &f.revision, &f.green, &f.fewer, &f.ukraine, &f.accompanying},
		projectID, id)
	if errors.Is(err, errNoRow) {
		return f, fmt.Errorf("mobility %s of project %s was never reported", id, projectID)
	}
	return f, err
}

// countMobility adds (sign +1) or removes (sign -1) a live mobility from
// its project's counters and the statistics.
func (a *applier) countMobility(p *projectRow, f *mobilityFacts, sign int64) error {
	p.mobilities += sign
	p.reported += sign * f.grant
	if a.countsTowardMax(f.activity, f.accompanying) {
		p.counted += sign
	}
	a.touchProject(p)
	return a.addMobilityStats(f.statKey(p.field), sign, f)
}

func applyMobilityReported(a *applier, env *events.Envelope, e *aggregates.MobilityReported) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	in := mobilityInput{projectID: e.ProjectID, org: p.org, action: e.Action, callYear: e.CallYear, m: &e.Mobility,
		days: e.Days, distanceKm: e.DistanceKm, grant: &e.Grant}
	if in.action == "" {
		in.action = p.action
	}
	if in.callYear == 0 {
		in.callYear = int(p.callYear)
	}
	f := in.facts()
	if err := a.countMobility(p, &f, 1); err != nil {
		return err
	}
	return a.putMobility(env, &in, mobReported, e.ReportedOn.String(), "", 0)
}

func applyMobilityCorrected(a *applier, env *events.Envelope, e *aggregates.MobilityCorrected) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	old, err := a.storedMobility(e.ProjectID, e.Mobility.MobilityID)
	if err != nil {
		return err
	}
	if old.status != mobCancelled {
		if err := a.countMobility(p, &old, -1); err != nil {
			return err
		}
	} else {
		p.cancelled--
	}
	in := mobilityInput{projectID: e.ProjectID, org: p.org, action: e.Action, callYear: e.CallYear, m: &e.Mobility,
		days: e.Days, distanceKm: e.DistanceKm, grant: &e.Grant}
	if in.action == "" {
		in.action = old.action
	}
	if in.callYear == 0 {
		in.callYear = int(old.callYear)
	}
	f := in.facts()
	if err := a.countMobility(p, &f, 1); err != nil {
		return err
	}
	return a.putMobility(env, &in, mobCorrected, old.reportedOn, e.CorrectedOn.String(), old.revision+1)
}

func applyMobilityCancelled(a *applier, env *events.Envelope, e *aggregates.MobilityCancelled) error {
	p, err := a.mustProject(e.ProjectID)
	if err != nil {
		return err
	}
	old, err := a.storedMobility(e.ProjectID, e.MobilityID)
	if err != nil {
		return err
	}
	if old.status == mobCancelled {
		return nil
	}
	if err := a.countMobility(p, &old, -1); err != nil {
		return err
	}
	p.cancelled++
	return a.st.mobStatus.exec(mobCancelled, e.CancelledOn.String(), int64(env.Sequence), e.ProjectID, e.MobilityID)
}

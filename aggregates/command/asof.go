package command

import (
	"context"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// fold decodes and folds the events of envs that lie in the history as of
// at (events.Cut: one rule for every "as of", ASOF-CLOCK) onto the empty
// portfolio of org; it returns the portfolio, the head of the last event
// folded and how many were.
func (h *Handler) fold(org string, envs []events.Envelope, at events.AsOf) (aggregates.Portfolio, events.Head, int, error) {
	cut := events.NewCut(at)
	var evs []aggregates.Event
	var head events.Head
	for i := range envs {
		env := &envs[i]
		if !cut.Includes(env) {
			continue
		}
		payload, err := h.reg.Decode(*env)
		if err != nil {
			return aggregates.Portfolio{}, events.Head{}, 0, apperr.Wrap(apperr.Internal, err, "internal error")
		}
		if ev, ok := payload.(aggregates.Event); ok {
			evs = append(evs, ev)
		}
		head = events.HeadOf(*env)
	}
	return aggregates.EvolveAll(aggregates.NewPortfolio(org), evs), head, len(evs), nil
}

// ProjectAt rebuilds a project as it stood at a point of its history, on
// either clock (ASOF-CLOCK). The head is that of the last event folded. A
// project without events by then is NotFound naming rule ASOF-EMPTY.
func (h *Handler) ProjectAt(ctx context.Context, projectID string, at events.AsOf) (aggregates.Project, events.Head, error) {
	envs, err := h.History(ctx, events.Ref{Kind: aggregates.KindProject, ID: projectID})
	if err != nil {
		return aggregates.Project{}, events.Head{}, err
	}
	p, head, _, err := h.fold(envs[0].Ref.Org, envs, at)
	if err != nil {
		return aggregates.Project{}, events.Head{}, err
	}
	pr, ok := p.Projects[projectID]
	if !ok {
		return aggregates.Project{}, events.Head{}, &apperr.Error{Code: apperr.NotFound, Rule: "ASOF-EMPTY", Field: "at",
			Message: "project " + projectID + " had not been submitted as of " + at.String() + "; its first event was recorded " + events.FormatTime(envs[0].RecordedAt) + " and took effect " + events.FormatTime(envs[0].OccurredAt)}
	}
	return pr, head, nil
}

// OrganisationAt rebuilds an organisation (its registration, its
// accreditations and its projects) as it stood at a point of its history,
// on either clock (ASOF-CLOCK). An organisation without events by then is
// NotFound naming rule ASOF-EMPTY.
func (h *Handler) OrganisationAt(ctx context.Context, oid string, at events.AsOf) (aggregates.Portfolio, events.Head, error) {
	if !events.ValidToken(oid) || oid == aggregates.OfficeOrg {
		return aggregates.Portfolio{}, events.Head{}, apperr.New(apperr.NotFound, "organisation %s not found", oid)
	}
	envs, err := h.store.LoadOrg(ctx, oid, 0)
	if err != nil {
		return aggregates.Portfolio{}, events.Head{}, storeErr(err)
	}
	if len(envs) == 0 {
		return aggregates.Portfolio{}, events.Head{}, apperr.New(apperr.NotFound, "organisation %s not found", oid)
	}
	p, head, n, err := h.fold(oid, envs, at)
	if err != nil {
		return aggregates.Portfolio{}, events.Head{}, err
	}
	if n == 0 {
		return aggregates.Portfolio{}, events.Head{}, &apperr.Error{Code: apperr.NotFound, Rule: "ASOF-EMPTY", Field: "at",
			Message: "organisation " + oid + " has no event as of " + at.String() + "; its first event was recorded " + events.FormatTime(envs[0].RecordedAt) + " and took effect " + events.FormatTime(envs[0].OccurredAt)}
	}
	return p, head, nil
}

// asOfEffective is the point of the older ProjectAsOf: an effective time.
func asOfEffective(at time.Time) events.AsOf { return events.AsOf{At: at, Axis: events.Effective} }

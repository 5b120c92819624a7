package api

import (
	"sort"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// tlItem is one date of a project's timeline.
type tlItem struct {
	Date, Key, Detail string
	AmountCents       int64
	// Future marks a date still to come.
	Future bool
}

// webProjectData is the project page: its story, budget, partners,
// mobilities and the verification of its audit trail.
type webProjectData struct {
	Status     ProjectStatus
	Mobilities []projections.MobilityView
	Timeline   []tlItem
	Payments   []projections.PaymentView
	// LumpSum tells a KA2 project funded by a lump sum, with its work packages.
	LumpSum      bool
	WorkPackages []aggregates.WorkPackage
	// Closed tells a project whose grant is settled: nothing "remains".
	Closed bool
	// CanReport offers the mobility forms.
	CanReport bool
	Saved     bool
	Verified  Verification
	// Commands are the command forms offered for the project's status.
	Commands []commandLink
	// Erased marks the participants whose personal data were erased;
	// CanErase offers the erasure form (national office, PD-ERASE).
	Erased   map[string]bool
	CanErase bool
}

func (s *Server) webProject(c echo.Context) error {
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	mobs, err := s.allMobilities(ctx, projections.MobilityFilter{ProjectID: pv.ID, IncludeCancelled: true})
	if err != nil {
		return err
	}
	st := ProjectStatus{Project: pv, Budget: computeBudget(pv, mobs)}
	if err := s.planStatus(c, pv, &st); err != nil {
		return err
	}
	d := webProjectData{Status: st, Mobilities: mobs, Saved: c.QueryParam("saved") == "1",
		LumpSum: !aggregates.IsMobilityAction(pv.Action),
		Closed:  pv.Status == aggregates.StatusClosed || pv.Status == aggregates.StatusTerminated}
	role := principal(c).Role
	d.CanReport = role != aggregates.RoleAnalyst && !d.LumpSum && pv.Status == aggregates.StatusOngoing
	if d.Erased, d.CanErase, err = s.projectErasures(ctx, role, pv.Org, mobs); err != nil {
		return err
	}
	for _, l := range s.offeredCommands(role, pv.ID, pv.Status) {
		if pv.UkraineException && (l.Op == "requestUkraineException" || l.Op == "decideUkraineException") {
			continue // applied already
		}
		d.Commands = append(d.Commands, l)
	}
	if d.LumpSum {
		if pr, _, err := s.d.Commands.ProjectAsOf(ctx, pv.ID, s.d.Clock.Now()); err == nil {
			d.WorkPackages = pr.WorkPackages
		}
	}
	today := aggregates.OfficeDay(s.d.Clock.Now()).String()
	add := func(date, key, detail string, cents int64) {
		if date != "" {
			d.Timeline = append(d.Timeline, tlItem{Date: date, Key: key, Detail: detail, AmountCents: cents, Future: date > today})
		}
	}
	add(pv.SubmittedOn, "ev-submitted", "", pv.RequestedCents)
	outcome := pv.Status // rejected or reserve-listed stay so; any awarded grant was an approval
	if pv.AwardedCents > 0 {
		outcome = aggregates.StatusApproved
	}
	add(pv.DecidedOn, "ev-decided", "status-"+outcome, pv.AwardedCents)
	add(pv.SignedOn, "ev-signed", pv.AgreementNo, 0)
	add(pv.StartDate, "ev-start", "", 0)
	add(pv.EndDate, "ev-end", "", 0)
	add(pv.ClosedOn, "ev-closed", "", 0)
	if due, ok := finalReportDue(pv); ok {
		add(due, "ev-report-due", "", 0)
	}
	if role != aggregates.RoleAnalyst {
		if pays, err := s.d.Reader.Payments(ctx, pv.ID); err == nil {
			d.Payments = pays
			for _, p := range pays {
				add(p.PaidOn, "ev-payment", p.Kind, p.AmountCents)
			}
		}
		if reps, err := s.d.Reader.Reports(ctx, pv.ID); err == nil {
			for _, r := range reps {
				add(r.SubmittedOn, "ev-report-"+r.Kind, r.Outcome, r.ReportedCents)
			}
		}
		if dr, ok := s.d.Reader.(deadlineReader); ok {
			if ds, err := dr.Deadlines(ctx, pv.ID); err == nil {
				for _, f := range ds.Flags {
					if f.Flag != aggregates.FlagFinalReportReminder {
						add(f.RaisedOn, "flag-"+f.Flag, f.Rule, 0)
					}
				}
			}
		}
		v := Verification{Valid: true, Chains: []ChainCheck{}}
		if err := s.verifyInto(c, &v, events.Ref{Org: pv.Org, Kind: aggregates.KindProject, ID: pv.ID}); err == nil {
			d.Verified = v
		}
	}
	sort.SliceStable(d.Timeline, func(i, j int) bool { return d.Timeline[i].Date < d.Timeline[j].Date })
	return s.render(c, "project.html", "project", d)
}

package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// ReferenceSource gives the domain deciding with the reference data the
// national office published (call rounds, rates tables), up to date;
// *command.Handler satisfies it. Without it the API shows the built-in
// tables.
type ReferenceSource interface {
	ReferenceDomain(ctx context.Context) (*aggregates.Domain, error)
}

// CallRoundView is one round of a call as GET /v1/calls shows it.
type CallRoundView struct {
	CallYear int    `json:"call_year"`
	Round    int    `json:"round"`
	Action   string `json:"action"`
	// Fields the round is open in; empty: every field.
	Fields   []string        `json:"fields"`
	Deadline aggregates.Date `json:"deadline"`
	// ClosesAt is the deadline instant, 12:00 Brussels time.
	ClosesAt time.Time `json:"closes_at"`
	// StartFrom and StartTo bound the start date of the round's projects
	// (CALL-START), when the office set them.
	StartFrom aggregates.Date `json:"start_from,omitzero"`
	StartTo   aggregates.Date `json:"start_to,omitzero"`
	// Open is true until the round closes (at the server's now).
	Open bool `json:"open"`
	// Origin is built-in (docs/rules.md section 8 or --deadlines-file),
	// published or corrected (by the national office's events).
	Origin string `json:"origin"`
}

// CallsList is the answer of GET /v1/calls.
type CallsList struct {
	// Now is the instant the open flags were judged at.
	Now time.Time `json:"now"`
	// Open counts the open rounds listed.
	Open   int             `json:"open"`
	Rounds []CallRoundView `json:"rounds"`
}

// referenceDomain returns the domain with the published reference data,
// or nil when the command handler cannot give it.
func (s *Server) referenceDomain(ctx context.Context) (*aggregates.Domain, error) {
	src, ok := s.d.Commands.(ReferenceSource)
	if !ok {
		return nil, nil
	}
	return src.ReferenceDomain(ctx)
}

func (s *Server) listCalls(c echo.Context) error {
	year, err := intParam(c, "call_year")
	if err != nil {
		return err
	}
	action := strings.TrimSpace(c.QueryParam("action"))
	if action != "" && !contains(aggregates.Actions(), action) {
		return apperr.InvalidField("action", "action %q is not one of %s", action, strings.Join(aggregates.Actions(), ", "))
	}
	onlyOpen, err := boolParam(c, "open")
	if err != nil {
		return err
	}
	d, err := s.referenceDomain(c.Request().Context())
	if err != nil {
		return err
	}
	if d == nil {
		d = aggregates.NewDomain(nil, aggregates.Policy{})
	}
	now := s.d.Clock.Now().UTC()
	out := CallsList{Now: now, Rounds: []CallRoundView{}}
	for _, dl := range d.Deadlines() {
		a := dl.Actions[0]
		if (year != 0 && dl.CallYear != year) || (action != "" && a != action) {
			continue
		}
		v := CallRoundView{CallYear: dl.CallYear, Round: dl.Round, Action: a, Fields: dl.Fields, Deadline: dl.Day, ClosesAt: dl.At().UTC(),
			StartFrom: dl.StartFrom, StartTo: dl.StartTo, Open: !now.After(dl.At()), Origin: dl.Origin}
		if v.Fields == nil {
			v.Fields = []string{}
		}
		if onlyOpen && !v.Open {
			continue
		}
		if v.Open {
			out.Open++
		}
		out.Rounds = append(out.Rounds, v)
	}
	return c.JSON(http.StatusOK, out)
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

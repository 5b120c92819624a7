package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// DryRunner decides a command without recording it; *command.Handler
// satisfies it. A CommandHandler without it answers dry runs 503.
type DryRunner interface {
	DryRun(ctx context.Context, req command.Request) (command.DryRunResult, error)
}

// dryRunParam documents ?dry_run= on the command routes.
var dryRunParam = Param{Name: "dry_run", Type: "boolean",
	Description: "true: decide the command with every rule and answer the events it would record (e.g. the mobility's grant breakdown) or the problem naming the rule at fault, recording nothing"}

// dryRunOf reads ?dry_run=.
func dryRunOf(c echo.Context) (bool, error) {
	v := c.QueryParam("dry_run")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.InvalidField("dry_run", "dry_run must be true or false, not %q", v)
	}
	return b, nil
}

// dryRun authorises and decides cmd without recording it.
func (s *Server) dryRun(c echo.Context, cmd aggregates.Command) (command.DryRunResult, error) {
	dr, ok := s.d.Commands.(DryRunner)
	if !ok {
		return command.DryRunResult{}, apperr.New(apperr.Unavailable, "dry runs are not available on this server")
	}
	if err := s.authoriseCommand(c, cmd); err != nil {
		return command.DryRunResult{}, err
	}
	reason, err := reasonOf(c)
	if err != nil {
		return command.DryRunResult{}, err
	}
	at, err := effectiveAt(c)
	if err != nil {
		return command.DryRunResult{}, err
	}
	match, err := ifMatch(c)
	if err != nil {
		return command.DryRunResult{}, err
	}
	return dr.DryRun(c.Request().Context(), command.Request{Command: cmd, Actor: principal(c).Actor(), CorrelationID: requestID(c),
		Reason: reason, EffectiveAt: at, IfMatch: match})
}

// answerDryRun answers a dry run as a command's answer marked dry_run,
// always 200: nothing was created.
func (s *Server) answerDryRun(c echo.Context, cmd aggregates.Command) error {
	res, err := s.dryRun(c, cmd)
	if err != nil {
		return err
	}
	body, err := dryRunAnswer(res)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, body)
}

// dryRunAnswer renders a dry run's events.
func dryRunAnswer(res command.DryRunResult) (CommandResponse, error) {
	out := CommandResponse{Ref: res.Ref, Version: res.Head.Version, Sequence: res.Head.Sequence, DryRun: true, Events: []EventSummary{}}
	for i, d := range res.Events {
		payload, err := json.Marshal(d.Payload)
		if err != nil {
			return out, apperr.Wrap(apperr.Internal, err, "internal error")
		}
		typ := ""
		if e, ok := d.Payload.(aggregates.Event); ok {
			typ = e.EventType()
		}
		out.Events = append(out.Events, EventSummary{Type: typ, Version: res.Head.Version + uint64(i) + 1, OccurredAt: d.OccurredAt.UTC(), Payload: payload})
		out.Version = res.Head.Version + uint64(i) + 1
	}
	return out, nil
}

package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// CommandResponse is the answer to a command.
type CommandResponse struct {
	// Ref is the aggregate the command changed.
	Ref events.Ref `json:"ref"`
	// Version is the aggregate's version after the command (also the ETag).
	Version uint64 `json:"version"`
	// Sequence is the stream sequence of the last event written (also the
	// Grants-Sequence header): pass it as Grants-Min-Sequence to a query to
	// read your write.
	Sequence uint64 `json:"sequence"`
	// Replayed is what the first answer said (false): a retry with the
	// same Idempotency-Key gets the first answer again, byte for byte, and
	// the header Grants-Replayed: true tells that it is a replay.
	Replayed bool `json:"replayed"`
	// Events are the events recorded (with ?dry_run=true: the events that
	// would be, without IDs, hashes or sequences).
	Events []EventSummary `json:"events"`
	// DryRun is true in the answer to ?dry_run=true: nothing was recorded.
	DryRun bool `json:"dry_run,omitempty"`
}

// EventSummary is one recorded event as a command's answer shows it.
type EventSummary struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Version    uint64          `json:"version"`
	Sequence   uint64          `json:"sequence"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Hash       string          `json:"hash"`
	Payload    json.RawMessage `json:"payload"`
}

// cmdSpec says how a command route binds and answers.
type cmdSpec struct {
	// path maps path parameters to the command's JSON fields.
	path map[string]string
	// status is the success status (200 when zero; 201 for creations).
	status int
	// location, when set, gives the Location of a created resource.
	location func(command.Result) string
}

// commandRoute builds the route of command type T: decode (strict, path
// fields bound), authorise, run through the command handler, answer. The
// roles come from the domain: the national office issues every command, a
// beneficiary only those aggregates.BeneficiaryMay allows (CORE-TASKS).
func commandRoute[T aggregates.Command](s *Server, method, path, opID, summary, tag string, spec cmdSpec) Route {
	var zero T
	var fromPath []string
	for _, field := range spec.path {
		fromPath = append(fromPath, field)
	}
	sort.Strings(fromPath)
	return Route{
		Method: method, Path: path, OperationID: opID, Summary: summary, Tag: tag, Roles: commandRoles(zero.CommandType()),
		Command: zero.CommandType(), Request: zero, BodyFromPath: fromPath, Response: CommandResponse{}, Status: spec.status,
		Idempotent: true, DryRun: true, Query: []Param{dryRunParam},
		Handler: func(c echo.Context) error {
			var cmd T
			if err := s.decodeCommand(c, &cmd, spec.path); err != nil {
				s.metrics.command(zero.CommandType(), string(apperr.CodeOf(err)), apperr.As(err).Rule)
				return err
			}
			if dry, err := dryRunOf(c); err != nil || dry {
				if err != nil {
					return err
				}
				return s.answerDryRun(c, cmd)
			}
			return s.runCommand(c, cmd, spec)
		},
	}
}

// decodeCommand reads and strictly decodes a JSON command body.
func (s *Server) decodeCommand(c echo.Context, into any, path map[string]string) error {
	if err := checkJSONType(c); err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	bound := map[string]string{}
	for param, field := range path {
		bound[field] = c.Param(param)
	}
	return decodeStrict(body, into, bound)
}

// runCommand authorises cmd for the caller and executes it, with the
// idempotency replay and the consistency headers.
func (s *Server) runCommand(c echo.Context, cmd aggregates.Command, spec cmdSpec) error {
	typ := cmd.CommandType()
	res, answer, err := s.execute(c, cmd, spec)
	if err != nil {
		ae := apperr.As(err)
		if ae.Field == "effective_at" && c.Request().Header.Get(HeaderEffectiveAt) != "" {
			// The caller gave it as the header: name the header.
			cp := *ae
			cp.Field = HeaderEffectiveAt
			ae, err = &cp, &cp
		}
		s.metrics.command(typ, string(ae.Code), ae.Rule)
		if ae.Code == apperr.RuleViolation || ae.Code == apperr.Forbidden {
			p := principal(c)
			s.log.Info("command refused", "type", typ, "code", string(ae.Code), "rule", ae.Rule, "field", ae.Field,
				"user", p.UserID(), "role", p.Role, "org", p.Org, "request_id", requestID(c))
		}
		return err
	}
	outcome := "ok"
	if res.Replayed {
		outcome = "replayed"
	}
	s.metrics.command(typ, outcome, "")
	err = writeAnswer(c, answer, res.Replayed)
	answer.release() // written: the buffer serves the next answer
	return err
}

// execute runs cmd and returns the result and the HTTP answer.
func (s *Server) execute(c echo.Context, cmd aggregates.Command, spec cmdSpec) (command.Result, storedAnswer, error) {
	ctx := c.Request().Context()
	p := principal(c)
	if err := s.authoriseCommand(c, cmd); err != nil {
		return command.Result{}, storedAnswer{}, err
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return command.Result{}, storedAnswer{}, err
	}
	match, err := ifMatch(c)
	if err != nil {
		return command.Result{}, storedAnswer{}, err
	}
	reason, err := reasonOf(c)
	if err != nil {
		return command.Result{}, storedAnswer{}, err
	}
	if reason == "" {
		// A command with its own reason (cancel, correct, withdraw,
		// terminate) keeps it as the audit history's "why" too.
		reason = bodyReason(cmd)
	}
	at, err := effectiveAt(c)
	if err != nil {
		return command.Result{}, storedAnswer{}, err
	}
	req := command.Request{
		Command: cmd, Actor: p.Actor(), IdempotencyKey: key, CorrelationID: requestID(c),
		Reason: reason, EffectiveAt: at, IfMatch: match,
	}
	// The command handler recognises a retry by the events, which carry
	// the key, and answers it with the events first written; the answer
	// is rendered from them exactly as the first time.
	res, err := s.d.Commands.Handle(ctx, req)
	if err != nil {
		return command.Result{}, storedAnswer{}, err
	}
	first := res
	first.Replayed = false
	// Events not replayed are the ones this request built: their payloads
	// are json.Marshal's (command.Result.Replayed).
	a, err := answerOf(first, spec, !res.Replayed)
	if err != nil {
		return command.Result{}, storedAnswer{}, err
	}
	return res, a, nil
}

// authoriseCommand keeps a beneficiary to its own organisation
// (CORE-TASKS): another organisation's aggregate named in the URL answers
// 404, exactly as a missing one, so that nothing leaks; an organisation
// the caller named in the body is refused with 403.
func (s *Server) authoriseCommand(c echo.Context, cmd aggregates.Command) error {
	p := principal(c)
	if p.Role != aggregates.RoleBeneficiary {
		return nil
	}
	ref := cmd.Target()
	if ref.Org == "" && ref.ID == "" {
		return nil // nothing named yet: validation refuses the command
	}
	org := ref.Org
	if org != "" && org != p.Org && len(c.ParamNames()) == 0 {
		// The caller named the organisation in the body (a registration
		// or an application): nothing is revealed by refusing it.
		return &apperr.Error{Code: apperr.Forbidden, Rule: "CORE-TASKS",
			Message: fmt.Sprintf("only users of organisation %s (or the national office) may act for it; you act for %s", org, p.Org)}
	}
	if org == "" {
		var err error
		if org, err = s.d.Commands.Locate(c.Request().Context(), ref.Kind, ref.ID); err != nil {
			return err
		}
	}
	if org != p.Org {
		return notFound(ref.Kind, ref.ID)
	}
	return nil
}

// notFound is the one answer for a missing or foreign resource.
func notFound(kind, id string) error {
	return apperr.New(apperr.NotFound, "%s %s not found", kind, id)
}

// answerOf renders a command result as the HTTP answer; marshalled says
// that the events' payloads are json.Marshal's output (encodeCommandResponse).
func answerOf(res command.Result, spec cmdSpec, marshalled bool) (storedAnswer, error) {
	body := CommandResponse{Ref: res.Ref, Version: res.Version, Sequence: res.Sequence, Replayed: res.Replayed, Events: []EventSummary{}}
	for _, e := range res.Events {
		body.Events = append(body.Events, EventSummary{ID: e.ID, Type: e.Type, Version: e.Version, Sequence: e.Sequence,
			OccurredAt: e.OccurredAt, RecordedAt: e.RecordedAt, Hash: e.Hash, Payload: e.Payload})
	}
	buf := answerBufs.Get().(*[]byte)
	b, err := encodeCommandResponse((*buf)[:0], &body, marshalled)
	if err != nil {
		answerBufs.Put(buf)
		return storedAnswer{}, apperr.Wrap(apperr.Internal, err, "internal error")
	}
	a := storedAnswer{Status: http.StatusOK, Body: b, Version: res.Version, Sequence: res.Sequence, buf: buf}
	if spec.status != 0 {
		a.Status = spec.status
	}
	if spec.location != nil {
		a.Location = spec.location(res)
	}
	return a, nil
}

// commandRoles are the roles that may issue a command type.
func commandRoles(typ string) []string {
	if aggregates.BeneficiaryMay(typ) {
		return []string{aggregates.RoleBeneficiary, aggregates.RoleNationalOffice}
	}
	return []string{aggregates.RoleNationalOffice}
}

// bodyReason returns the "reason" field of a command's body, if it has one.
func bodyReason(cmd aggregates.Command) string {
	v := reflect.Indirect(reflect.ValueOf(cmd))
	if v.Kind() != reflect.Struct {
		return ""
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name == "reason" && f.Type.Kind() == reflect.String {
			return strings.TrimSpace(v.Field(i).String())
		}
	}
	return ""
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// adminDiscloseSubject is where a running grants serve records the
// disclosures of personal data a grants command asks for (replay --out
// --personal-data, export events --personal-data): only serve may append
// events (PD-DISCLOSE-REASON).
const adminDiscloseSubject = "grants-admin.disclose"

// discloseRequest asks a running serve to record a disclosure.
type discloseRequest struct {
	aggregates.Disclosure
	// RequestedBy names who runs the command (the operating system's
	// user and host): the event's actor is "cli:" + it, as the national
	// office (the holder of the service identity is the office's).
	RequestedBy string `json:"requested_by"`
}

// discloseReply is its answer: the event's sequence, or the failure.
type discloseReply struct {
	Sequence uint64        `json:"sequence,omitempty"`
	Error    *adminFailure `json:"error,omitempty"`
}

// commandHandler is what serveDiscloseAdmin needs of the command handler.
type commandHandler interface {
	Handle(ctx context.Context, req command.Request) (command.Result, error)
}

// serveDiscloseAdmin records the disclosures requested over NATS. Several
// grants serve instances share the requests (one queue).
func serveDiscloseAdmin(nc *nats.Conn, h commandHandler, log *slog.Logger) (func(), error) {
	sub, err := nc.QueueSubscribe(adminDiscloseSubject, "grants-serve", func(m *nats.Msg) {
		if !adminRequest(m) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		b, _ := json.Marshal(answerDisclose(ctx, h, m.Data, log))
		_ = m.Respond(b)
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

func answerDisclose(ctx context.Context, h commandHandler, data []byte, log *slog.Logger) discloseReply {
	var req discloseRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return discloseReply{Error: &adminFailure{Code: apperr.Invalid, Message: "the disclosure request is not valid JSON"}}
	}
	if req.RequestedBy == "" {
		req.RequestedBy = "unknown"
	}
	req.Channel = "cli"
	res, err := h.Handle(ctx, command.Request{
		Command: aggregates.RecordDisclosure{Disclosure: req.Disclosure},
		Actor:   events.Actor{UserID: "cli:" + req.RequestedBy, Role: aggregates.RoleNationalOffice},
		Reason:  req.Reason,
	})
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal || e.Code == apperr.Unavailable {
			log.Error("recording a disclosure failed", "scope", req.Scope, "err", err)
		}
		return discloseReply{Error: &adminFailure{Code: e.Code, Field: e.Field, Message: e.Error()}}
	}
	// The log names the scope, never a person.
	log.Info("disclosure of personal data recorded", "scope", req.Scope, "sequence", res.Sequence)
	return discloseReply{Sequence: res.Sequence}
}

// errNoDiscloseServe: personal data need a running grants serve to record
// their disclosure first.
var errNoDiscloseServe = errors.New("--personal-data needs a running grants serve on this data directory to record the disclosure first (PD-DISCLOSE-REASON); nothing was disclosed")

// recordDisclosure asks the running serve to record d and returns the
// event's sequence; without a serve, nothing may be disclosed.
func recordDisclosure(ctx context.Context, sys *system, d aggregates.Disclosure) (uint64, error) {
	if sys.srv != nil || sys.nc == nil {
		return 0, errNoDiscloseServe
	}
	b, _ := json.Marshal(discloseRequest{Disclosure: d, RequestedBy: whoRuns()})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	m, err := sys.nc.RequestWithContext(ctx, adminDiscloseSubject, b)
	if errors.Is(err, nats.ErrNoResponders) {
		return 0, errNoDiscloseServe
	}
	if err != nil {
		return 0, fmt.Errorf("asking the running grants serve to record the disclosure: %w", err)
	}
	var rep discloseReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return 0, fmt.Errorf("unreadable answer of the running grants serve: %q", m.Data)
	}
	if e := rep.Error; e != nil {
		return 0, usagef("the disclosure was not recorded, so nothing was disclosed: %s", e.Message)
	}
	return rep.Sequence, nil
}

// whoRuns names the operating system's user and host of this process.
func whoRuns() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		name += "@" + h
	}
	return name
}

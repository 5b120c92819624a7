package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// adminTokenSubject is where a running `grants serve` takes token requests
// (create, list, revoke): only it may write the token bucket, and the
// service identity may ask it to.
const adminTokenSubject = "grants-admin.token"

// tokenService is what `grants token` does: the token service itself when
// this process holds the token bucket, a running grants serve otherwise.
type tokenService interface {
	Create(ctx context.Context, req auth.CreateRequest) (auth.Token, string, error)
	List(ctx context.Context) ([]auth.Token, error)
	Revoke(ctx context.Context, id string) (auth.Token, error)
}

var _ tokenService = (*auth.Service)(nil)

// tokenRequest is a token request to a running grants serve.
type tokenRequest struct {
	Action string `json:"action"`
	Role   string `json:"role,omitempty"`
	Org    string `json:"org,omitempty"`
	Name   string `json:"name,omitempty"`
	ID     string `json:"id,omitempty"`
}

// tokenReply is its answer.
type tokenReply struct {
	Token  *auth.Token   `json:"token,omitempty"`
	Secret string        `json:"secret,omitempty"`
	Tokens []auth.Token  `json:"tokens,omitempty"`
	Error  *adminFailure `json:"error,omitempty"`
}

// adminFailure is an apperr.Error as the requester gets it: what the user
// may see, never the internal cause.
type adminFailure struct {
	Code    apperr.Code `json:"code"`
	Field   string      `json:"field,omitempty"`
	Message string      `json:"message"`
}

// serveTokenAdmin answers token requests with svc. Several grants serve
// instances answer as one queue group.
func serveTokenAdmin(nc *nats.Conn, svc *auth.Service, log *slog.Logger) (func(), error) {
	sub, err := nc.QueueSubscribe(adminTokenSubject, "grants-serve", func(m *nats.Msg) {
		if !adminRequest(m) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		reply := answerToken(ctx, svc, m.Data, log)
		b, _ := json.Marshal(reply)
		_ = m.Respond(b)
	})
	if err != nil {
		return nil, err
	}
	return func() { _ = sub.Unsubscribe() }, nil
}

func answerToken(ctx context.Context, svc *auth.Service, data []byte, log *slog.Logger) tokenReply {
	var req tokenRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return tokenReply{Error: &adminFailure{Code: apperr.Invalid, Message: "the token request is not valid JSON"}}
	}
	var r tokenReply
	var err error
	switch req.Action {
	case "create":
		var t auth.Token
		t, r.Secret, err = svc.Create(ctx, auth.CreateRequest{Role: req.Role, Org: req.Org, Name: req.Name})
		if err == nil {
			r.Token = &t
			log.Info("token created on request", "token", t.ID, "role", t.Role, "org", t.Org, "name", t.Name)
		}
	case "list":
		r.Tokens, err = svc.List(ctx)
	case "revoke":
		var t auth.Token
		if t, err = svc.Revoke(ctx, req.ID); err == nil {
			r.Token = &t
			log.Info("token revoked on request", "token", t.ID)
		}
	default:
		err = apperr.InvalidField("action", "unknown token action %q: use create, list or revoke", req.Action)
	}
	if err != nil {
		e := apperr.As(err)
		if e.Code == apperr.Internal || e.Code == apperr.Unavailable {
			log.Error("token request failed", "action", req.Action, "err", err)
		}
		msg := e.Message
		if msg == "" {
			msg = string(e.Code)
		}
		return tokenReply{Error: &adminFailure{Code: e.Code, Field: e.Field, Message: msg}}
	}
	return r
}

// remoteTokens asks a running grants serve over NATS.
type remoteTokens struct {
	nc *nats.Conn
}

// errNoServe says that no grants serve answers token requests.
var errNoServe = errors.New("no grants serve answers token requests")

func (r remoteTokens) ask(ctx context.Context, req tokenRequest) (tokenReply, error) {
	b, _ := json.Marshal(req)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	m, err := r.nc.RequestWithContext(ctx, adminTokenSubject, b)
	if errors.Is(err, nats.ErrNoResponders) {
		return tokenReply{}, errNoServe
	}
	if err != nil {
		return tokenReply{}, fmt.Errorf("asking the running grants serve: %w", err)
	}
	var rep tokenReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return tokenReply{}, fmt.Errorf("unreadable answer of the running grants serve: %q", m.Data)
	}
	if e := rep.Error; e != nil {
		return tokenReply{}, &apperr.Error{Code: e.Code, Field: e.Field, Message: e.Message}
	}
	return rep, nil
}

// Create implements tokenService.
func (r remoteTokens) Create(ctx context.Context, req auth.CreateRequest) (auth.Token, string, error) {
	rep, err := r.ask(ctx, tokenRequest{Action: "create", Role: req.Role, Org: req.Org, Name: req.Name})
	if err != nil {
		return auth.Token{}, "", err
	}
	if rep.Token == nil || rep.Secret == "" {
		return auth.Token{}, "", errors.New("the running grants serve answered without a token")
	}
	return *rep.Token, rep.Secret, nil
}

// List implements tokenService.
func (r remoteTokens) List(ctx context.Context) ([]auth.Token, error) {
	rep, err := r.ask(ctx, tokenRequest{Action: "list"})
	return rep.Tokens, err
}

// Revoke implements tokenService.
func (r remoteTokens) Revoke(ctx context.Context, id string) (auth.Token, error) {
	rep, err := r.ask(ctx, tokenRequest{Action: "revoke", ID: id})
	if err != nil {
		return auth.Token{}, err
	}
	if rep.Token == nil {
		return auth.Token{}, errors.New("the running grants serve answered without a token")
	}
	return *rep.Token, nil
}

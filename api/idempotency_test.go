package api

import (
	"net/http"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// TestIdempotentRetryReturnsTheFirstAnswer: the command handler keeps the
// one record of a keyed command and answers a retry with the events first
// written (Replayed); the API renders that answer exactly as the first one,
// with Grants-Replayed, and keeps no record of its own.
func TestIdempotentRetryReturnsTheFirstAnswer(t *testing.T) {
	u := newUnitServer(t, nil)
	seen := map[string]command.Result{}
	u.cmds.result = func(req command.Request) (command.Result, error) {
		if res, ok := seen[req.IdempotencyKey]; ok {
			res.Replayed = true
			return res, nil
		}
		res := command.Result{Ref: events.Ref{Org: "E10000001", Kind: "project", ID: "P1"}, Version: 1, Sequence: 101,
			Events: []events.Envelope{{ID: "ev-1", Type: "PaymentRecorded", Version: 1, Sequence: 101, Payload: []byte(`{"payment_id":"pay-1"}`)}}}
		seen[req.IdempotencyKey] = res
		return res, nil
	}
	body := `{"payment_id":"pay-1","kind":"pre-financing","amount_cents":800000}`
	first := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/payments", body, HeaderIdempotencyKey, "pay-1-key")
	again := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/payments", body, HeaderIdempotencyKey, "pay-1-key")
	if first.Code != 200 || again.Code != first.Code || again.Body.String() != first.Body.String() {
		t.Fatalf("first %d %s\nagain %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if first.Header().Get(HeaderReplayed) != "" {
		t.Fatalf("the first answer says it is replayed: %v", first.Header())
	}
	if again.Header().Get(HeaderReplayed) != "true" || again.Header().Get("ETag") != first.Header().Get("ETag") || again.Header().Get(HeaderSequence) != "101" {
		t.Fatalf("replay headers %v", again.Header())
	}
	for _, r := range u.cmds.requests() {
		if r.IdempotencyKey != "pay-1-key" {
			t.Fatalf("the handler got key %q", r.IdempotencyKey)
		}
	}
}

func TestFailedCommandIsNotRemembered(t *testing.T) {
	u := newUnitServer(t, nil)
	fail := true
	u.cmds.result = func(req command.Request) (command.Result, error) {
		if fail {
			return command.Result{}, &apperr.Error{Code: apperr.Conflict, Message: "the project moved on", Version: 9}
		}
		return command.Result{Ref: req.Command.Target(), Version: 10, Sequence: 50}, nil
	}
	w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/closure", `{}`, HeaderIdempotencyKey, "close")
	if w.Code != 409 {
		t.Fatalf("status %d", w.Code)
	}
	if p := problemBody(t, w); p.Version == nil || *p.Version != 9 {
		t.Fatalf("conflict without the current version: %+v", p)
	}
	fail = false
	if w := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/closure", `{}`, HeaderIdempotencyKey, "close"); w.Code != 200 {
		t.Fatalf("retry after a conflict: %d %s", w.Code, w.Body)
	}
}

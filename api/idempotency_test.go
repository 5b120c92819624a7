package api

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// memIdem is an events.IdempotencyStore in memory.
type memIdem struct {
	mu   sync.Mutex
	recs map[string]events.IdempotencyRecord
}

func (m *memIdem) Get(_ context.Context, key string) (events.IdempotencyRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.recs[key]
	return r, ok, nil
}

func (m *memIdem) Put(_ context.Context, key string, rec events.IdempotencyRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[key] = rec
	return nil
}

func (m *memIdem) Create(_ context.Context, key string, rec events.IdempotencyRecord) (events.IdempotencyRecord, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.recs[key]; ok {
		return old, false, nil
	}
	m.recs[key] = rec
	return events.IdempotencyRecord{}, true, nil
}

func TestIdempotentRetryReturnsTheFirstAnswer(t *testing.T) {
	idem := &memIdem{recs: map[string]events.IdempotencyRecord{}}
	u := newUnitServer(t, func(d *Deps) { d.Idempotency = idem })
	version := uint64(0)
	u.cmds.result = func(req command.Request) (command.Result, error) {
		version++
		return command.Result{Ref: events.Ref{Org: "E10000001", Kind: "project", ID: "P1"}, Version: version, Sequence: 100 + version}, nil
	}
	body := `{"payment_id":"pay-1","kind":"pre-financing","amount_cents":800000}`
	first := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/payments", body, HeaderIdempotencyKey, "pay-1-key")
	again := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/payments", body, HeaderIdempotencyKey, "pay-1-key")
	if first.Code != 200 || again.Code != first.Code || again.Body.String() != first.Body.String() {
		t.Fatalf("first %d %s\nagain %d %s", first.Code, first.Body, again.Code, again.Body)
	}
	if again.Header().Get(HeaderReplayed) != "true" || again.Header().Get("ETag") != first.Header().Get("ETag") || again.Header().Get(HeaderSequence) != "101" {
		t.Fatalf("replay headers %v", again.Header())
	}
	if n := len(u.cmds.requests()); n != 1 {
		t.Fatalf("the command ran %d times", n)
	}
	// The same key with another body is refused, and runs nothing.
	other := u.do(t, aggregates.RoleNationalOffice, http.MethodPost, "/v1/projects/P1/payments",
		`{"payment_id":"pay-2","kind":"pre-financing","amount_cents":1}`, HeaderIdempotencyKey, "pay-1-key")
	if other.Code != 422 {
		t.Fatalf("reused key: %d %s", other.Code, other.Body)
	}
	if p := problemBody(t, other); p.Field != HeaderIdempotencyKey {
		t.Fatalf("problem %+v", p)
	}
	// Another user's same key is another key.
	u.do(t, aggregates.RoleBeneficiary, http.MethodPost, "/v1/projects/P1/reports/final", `{}`, HeaderIdempotencyKey, "pay-1-key")
	if n := len(u.cmds.requests()); n != 2 {
		t.Fatalf("the command ran %d times, want 2", n)
	}
}

func TestFailedCommandIsNotRemembered(t *testing.T) {
	idem := &memIdem{recs: map[string]events.IdempotencyRecord{}}
	u := newUnitServer(t, func(d *Deps) { d.Idempotency = idem })
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

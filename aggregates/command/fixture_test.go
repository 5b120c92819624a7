package command_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/jetstream/jstest"
	"github.com/erasmus-ledger/grants/events/memstore"
)

const org = "E10000001"

var (
	office = events.Actor{UserID: "officer", Role: aggregates.RoleNationalOffice}
	school = events.Actor{UserID: "teacher", Role: aggregates.RoleBeneficiary, Org: org}
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func newClock(s string) *clock {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &clock{t: t}
}

func domain(t testing.TB) *aggregates.Domain {
	book, err := rates.Default()
	if err != nil {
		t.Fatal(err)
	}
	return aggregates.NewDomain(book, aggregates.Policy{})
}

// memHandler returns a handler on an in-memory store.
func memHandler(t testing.TB, c events.Clock) (*command.Handler, *memstore.Store) {
	reg := aggregates.Registry()
	st := memstore.New(reg, memstore.Config{})
	return command.New(st, domain(t), reg, c, command.Config{}), st
}

// jsStore starts a real embedded nats-server and opens the store on it.
func jsStore(t testing.TB) *jetstream.Store { return jstest.Store(t, aggregates.Registry()) }

func date(s string) aggregates.Date { return aggregates.MustDate(s) }

func register() aggregates.Command {
	return aggregates.RegisterOrganisation{OID: org, LegalName: "Testikoulu", Country: "FI", City: "Helsinki", Kind: aggregates.OrgSchool}
}

// ka122 is a KA122 school application of call 2024 round 1.
func ka122(id string, round int) aggregates.SubmitApplication {
	return aggregates.SubmitApplication{
		ProjectID: id, OID: org, Action: aggregates.ActionKA122, Field: aggregates.FieldSchool,
		CallYear: 2024, Round: round, StartDate: date("2024-06-01"), EndDate: date("2025-05-31"), RequestedCents: 6000000,
	}
}

func mustHandle(t testing.TB, h *command.Handler, actor events.Actor, cmd aggregates.Command) command.Result {
	t.Helper()
	res, err := h.Handle(context.Background(), command.Request{Command: cmd, Actor: actor})
	if err != nil {
		t.Fatalf("%s: %v", cmd.CommandType(), err)
	}
	return res
}

func projectID(i int) string { return fmt.Sprintf("2024-1-FI01-KA122-SCH-%09d", i) }

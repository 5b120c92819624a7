package memstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/events/memstore"
	"github.com/erasmus-ledger/grants/events/storetest"
)

var ref = events.Ref{Org: "E1", Kind: "project", ID: "p"}

func TestRetryAfterTheDuplicateWindowIsANewCommand(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(storetest.Registry(), memstore.Config{DuplicateWindow: time.Minute})
	req := events.AppendRequest{Ref: ref, Meta: events.Meta{IdempotencyKey: "k", RecordedAt: storetest.Base}, Events: []events.Draft{{Payload: storetest.Noted{Text: "a"}}}}
	first, err := s.Append(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Expected = events.HeadOf(first[0])
	req.Meta.RecordedAt = storetest.Base.Add(59 * time.Second)
	again, err := s.Append(ctx, req)
	if err != nil || again[0].ID != first[0].ID {
		t.Fatalf("retry within the window = %v, %v; want the first event", again, err)
	}
	req.Meta.RecordedAt = storetest.Base.Add(time.Minute)
	later, err := s.Append(ctx, req)
	if err != nil || later[0].ID == first[0].ID || later[0].Version != 2 {
		t.Fatalf("append after the window = %+v, %v; want a new event at version 2", later, err)
	}
}

func TestRecordedTimeComesFromTheClockWhenUnset(t *testing.T) {
	ctx := context.Background()
	req := events.AppendRequest{Ref: ref, Events: []events.Draft{{Payload: storetest.Noted{Text: "a"}}}}
	if _, err := memstore.New(storetest.Registry(), memstore.Config{}).Append(ctx, req); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("an append without a recorded time or clock gave %v", err)
	}
	now := time.Date(2026, 2, 3, 4, 5, 6, 0, time.FixedZone("EET", 7200))
	envs, err := memstore.New(storetest.Registry(), memstore.Config{Clock: events.FixedClock(now)}).Append(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !envs[0].RecordedAt.Equal(now) || envs[0].RecordedAt.Location() != time.UTC || !envs[0].OccurredAt.Equal(now) {
		t.Fatalf("recorded %v occurred %v, want %v in UTC", envs[0].RecordedAt, envs[0].OccurredAt, now)
	}
}

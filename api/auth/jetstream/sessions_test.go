package jetstream_test

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// TestSessionsSharedBetweenInstances: a session opened on one instance is
// seen, and ended, on another; the bucket forgets sessions after its TTL
// and keeps only the hash of the session ID.
func TestSessionsSharedBetweenInstances(t *testing.T) {
	ctx := context.Background()
	js := startNATS(t)
	ts, err := authjs.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := authjs.OpenSessions(ctx, js, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := authjs.OpenSessions(ctx, js, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	clock := events.FixedClock(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC))
	svc := auth.NewService(ts, clock)
	a, b := svc.Sessions(s1, auth.SessionConfig{}), svc.Sessions(s2, auth.SessionConfig{})
	_, secret, err := svc.Create(ctx, auth.CreateRequest{Role: "analyst", Name: "analyytikko"})
	if err != nil {
		t.Fatal(err)
	}
	id, ses, _, err := a.Start(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, err := b.Check(ctx, id); err != nil || got.ID != ses.ID {
		t.Fatalf("the other instance does not see the session: %+v, %v", got, err)
	}
	kv, err := js.KeyValue(ctx, authjs.SessionBucket)
	if err != nil {
		t.Fatal(err)
	}
	st, err := kv.Status(ctx)
	if err != nil || st.TTL() != time.Hour {
		t.Fatalf("bucket TTL %v, %v", st.TTL(), err)
	}
	if _, err := kv.Get(ctx, auth.HashSecret(id)); err != nil {
		t.Fatalf("no record under the hash of the session ID: %v", err)
	}
	if list, err := b.List(ctx); err != nil || len(list) != 1 {
		t.Fatalf("list %+v, %v", list, err)
	}
	if err := b.End(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Check(ctx, id); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("a session ended on the other instance: %v", err)
	}
	if list, err := a.List(ctx); err != nil || len(list) != 0 {
		t.Fatalf("list after sign-out %+v, %v", list, err)
	}
}

package jetstream_test

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// startNATS runs a real embedded nats-server with JetStream in a temp dir.
func startNATS(t *testing.T) jetstream.JetStream {
	t.Helper()
	srv := authjs.StartTestServer(t)
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestTokensSharedBetweenInstances(t *testing.T) {
	ctx := context.Background()
	js := startNATS(t)
	s1, err := authjs.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := authjs.Open(ctx, js, 1) // a second API instance
	if err != nil {
		t.Fatal(err)
	}
	clock := events.FixedClock(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC))
	a, b := auth.NewService(s1, clock), auth.NewService(s2, clock)

	if ts, err := b.List(ctx); err != nil || len(ts) != 0 {
		t.Fatalf("empty bucket lists %v, %v", ts, err)
	}
	tok, secret, err := a.Create(ctx, auth.CreateRequest{Role: "beneficiary", Org: "E10000001", Name: "school"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Authenticate(ctx, secret)
	if err != nil {
		t.Fatalf("other instance does not see the token: %v", err)
	}
	if p.TokenID != tok.ID || p.Org != "E10000001" || p.Role != "beneficiary" {
		t.Fatalf("principal %+v for token %+v", p, tok)
	}
	if _, err := b.Revoke(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, secret); err == nil {
		t.Fatal("revoked token still authenticates on the other instance")
	}
	ts, err := a.List(ctx)
	if err != nil || len(ts) != 1 || !ts[0].Revoked() {
		t.Fatalf("list after revoke: %+v, %v", ts, err)
	}
	if ts[0].Hash == secret || ts[0].Hash != auth.HashSecret(secret) {
		t.Fatal("the store must keep the SHA-256 of the secret, not the secret")
	}
}

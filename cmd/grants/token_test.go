package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/events"
)

func TestTokenCreateListRevoke(t *testing.T) {
	ctx := context.Background()
	svc := auth.NewService(auth.NewMemoryStore(), events.FixedClock(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)))
	var out, info bytes.Buffer
	if err := tokenCreate(ctx, svc, auth.CreateRequest{Role: "beneficiary", Org: "E10000001", Name: "school"}, &out, &info); err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, auth.TokenPrefix) || strings.Contains(info.String(), secret) {
		t.Fatalf("secret %q, info %q", secret, info.String())
	}
	p, err := svc.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	var list bytes.Buffer
	if err := tokenList(ctx, svc, false, &list); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list.String(), p.TokenID) || strings.Contains(list.String(), secret) {
		t.Fatalf("list:\n%s", list.String())
	}
	var rev bytes.Buffer
	if err := tokenRevoke(ctx, svc, p.TokenID, &rev); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, secret); err == nil {
		t.Fatal("a revoked token still authenticates")
	}
	err = tokenRevoke(ctx, svc, "tok_unknown", &rev)
	if err == nil || exitStatus(err) != exitFailure {
		t.Fatalf("revoking an unknown token: %v, want a runtime failure (exit 1)", err)
	}
	var u usageError
	if err := tokenCreate(ctx, svc, auth.CreateRequest{Role: "beneficiary"}, &out, &info); !errors.As(err, &u) {
		t.Fatalf("beneficiary without org: %v", err)
	}
}

package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func TestCreateRefusesBadRequests(t *testing.T) {
	s := auth.NewService(auth.NewMemoryStore(), events.FixedClock(time.Unix(0, 0)))
	for _, tc := range []struct {
		name  string
		req   auth.CreateRequest
		field string
	}{
		{"unknown role", auth.CreateRequest{Role: "admin"}, "role"},
		{"beneficiary without org", auth.CreateRequest{Role: "beneficiary"}, "org"},
		{"analyst bound to org", auth.CreateRequest{Role: "analyst", Org: "E1"}, "org"},
		{"org with wildcard", auth.CreateRequest{Role: "beneficiary", Org: "E1.>"}, "org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Create(context.Background(), tc.req)
			if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Field != tc.field {
				t.Fatalf("got %v, want invalid field %s", err, tc.field)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	s := auth.NewService(auth.NewMemoryStore(), events.FixedClock(time.Unix(0, 0)))
	tok, secret, err := s.Create(ctx, auth.CreateRequest{Role: "national-office", Name: "officer"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, secret)
	if err != nil || p.Actor().UserID != "officer/"+tok.ID || p.Actor().Role != "national-office" {
		t.Fatalf("principal %+v, %v", p, err)
	}
	for _, bad := range []string{"", "nonsense", secret + "x", auth.TokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if _, err := s.Authenticate(ctx, bad); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("secret %q: got %v, want unauthenticated", bad, err)
		}
	}
	if _, err := s.Revoke(ctx, "tok_000000000000"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("revoking an unknown token: %v", err)
	}
}

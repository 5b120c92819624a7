package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// stepClock is a clock the test moves on.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sessionFixture is a token service and its sessions (idle 30m, max 2h) in memory.
func sessionFixture(t *testing.T) (*auth.Service, *auth.Sessions, *auth.MemorySessionStore, *stepClock, auth.Token, string) {
	t.Helper()
	c := &stepClock{t: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)}
	svc := auth.NewService(auth.NewMemoryStore(), c)
	store := auth.NewMemorySessionStore()
	ses := svc.Sessions(store, auth.SessionConfig{Idle: 30 * time.Minute, Max: 2 * time.Hour})
	tok, secret, err := svc.Create(context.Background(), auth.CreateRequest{Role: "beneficiary", Org: "E10000001", Name: "school"})
	if err != nil {
		t.Fatal(err)
	}
	return svc, ses, store, c, tok, secret
}

func TestSessionRules(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// steps move the clock (using the session between steps).
		steps []time.Duration
		act   func(t *testing.T, svc *auth.Service, s *auth.Sessions, tok auth.Token, id string)
		live  bool
	}{
		{name: "a fresh session lives", live: true},
		{name: "used within the idle timeout it lives", steps: []time.Duration{29 * time.Minute, 29 * time.Minute, 29 * time.Minute}, live: true},
		{name: "idle timeout ends it", steps: []time.Duration{30 * time.Minute}},
		{name: "maximum lifetime ends it in use", steps: []time.Duration{25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 25 * time.Minute, 20 * time.Minute}},
		{name: "sign-out ends it", act: func(t *testing.T, _ *auth.Service, s *auth.Sessions, _ auth.Token, id string) {
			if err := s.End(ctx, id); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "revoking the token ends it", act: func(t *testing.T, svc *auth.Service, _ *auth.Sessions, tok auth.Token, _ string) {
			if _, err := svc.Revoke(ctx, tok.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "revoking the session ends it", act: func(t *testing.T, _ *auth.Service, s *auth.Sessions, _ auth.Token, _ string) {
			list, err := s.List(ctx)
			if err != nil || len(list) != 1 {
				t.Fatalf("list %v, %v", list, err)
			}
			if _, err := s.Revoke(ctx, list[0].ID); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, s, _, c, tok, secret := sessionFixture(t)
			id, ses, p, err := s.Start(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if p.TokenID != tok.ID || ses.TokenID != tok.ID || ses.CSRF == "" || strings.Contains(id, secret) {
				t.Fatalf("session %+v, principal %+v", ses, p)
			}
			for _, d := range tc.steps {
				c.add(d)
				if _, _, err := s.Check(ctx, id); err != nil {
					break
				}
			}
			if tc.act != nil {
				tc.act(t, svc, s, tok, id)
			}
			got, gp, err := s.Check(ctx, id)
			if tc.live {
				if err != nil || got.ID != ses.ID || gp.TokenID != tok.ID {
					t.Fatalf("live session refused: %+v, %v", got, err)
				}
				return
			}
			if apperr.CodeOf(err) != apperr.Unauthenticated {
				t.Fatalf("ended session: %v, want unauthenticated", err)
			}
			if list, _ := s.List(ctx); len(list) != 0 {
				t.Fatalf("an ended session is listed: %+v", list)
			}
		})
	}
}

func TestSessionStoreKeepsNoSecret(t *testing.T) {
	ctx := context.Background()
	_, s, store, _, _, secret := sessionFixture(t)
	id, _, _, err := s.Start(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := store.List(ctx)
	if len(all) != 1 || all[0].Hash != auth.HashSecret(id) {
		t.Fatalf("stored %+v", all)
	}
	for _, v := range []string{all[0].Hash, all[0].ID, all[0].CSRF, all[0].TokenHash} {
		if strings.Contains(v, id) || strings.Contains(v, secret) {
			t.Fatalf("the store keeps a secret: %+v", all[0])
		}
	}
	for _, bad := range []string{"", secret, auth.SessionPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id + "x"} {
		if _, _, err := s.Check(ctx, bad); apperr.CodeOf(err) != apperr.Unauthenticated {
			t.Errorf("session %q: %v, want unauthenticated", bad, err)
		}
	}
	if _, _, _, err := s.Start(ctx, "grants_wrong-token-of-someone-else"); apperr.CodeOf(err) != apperr.Unauthenticated {
		t.Fatalf("sign-in with a wrong token: %v", err)
	}
	if _, err := s.Revoke(ctx, "ses_0000000000000000"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("revoking an unknown session: %v", err)
	}
}

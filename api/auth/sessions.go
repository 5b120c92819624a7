package auth

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// SessionConfig sets the lifetimes of sessions.
type SessionConfig struct {
	// Idle ends a session unused for this long (default DefaultSessionIdle).
	Idle time.Duration
	// Max ends a session this long after sign-in, used or not (default
	// DefaultSessionMax).
	Max time.Duration
}

// Sessions signs browsers in with a token and checks their sessions. A
// session ends when it is idle too long, when it is too old, when it is
// signed out or revoked, and when its token is revoked.
type Sessions struct {
	store  SessionStore
	tokens Store
	clock  events.Clock
	cfg    SessionConfig
}

// NewSessions returns Sessions keeping sessions in store and checking
// their tokens in tokens.
func NewSessions(store SessionStore, tokens Store, clock events.Clock, cfg SessionConfig) *Sessions {
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultSessionIdle
	}
	if cfg.Max <= 0 {
		cfg.Max = DefaultSessionMax
	}
	return &Sessions{store: store, tokens: tokens, clock: clock, cfg: cfg}
}

// Config returns the lifetimes in force.
func (s *Sessions) Config() SessionConfig { return s.cfg }

// Start checks the token secret and opens a session for it. It returns the
// session ID, which only the browser keeps, and the session.
func (s *Sessions) Start(ctx context.Context, secret string) (string, Session, Principal, error) {
	t, err := s.token(ctx, HashSecret(secret), looksLikeSecret(secret))
	if err != nil {
		return "", Session{}, Principal{}, err
	}
	id, handle, csrf, err := newSessionID()
	if err != nil {
		return "", Session{}, Principal{}, apperr.Wrap(apperr.Internal, err, "internal error")
	}
	now := s.clock.Now().UTC()
	ses := Session{Hash: HashSecret(id), ID: handle, TokenID: t.ID, TokenHash: t.Hash, Name: t.Name, Role: t.Role, Org: t.Org,
		CSRF: csrf, CreatedAt: now, LastSeen: now}
	if err := s.store.Put(ctx, ses); err != nil {
		return "", Session{}, Principal{}, apperr.Wrap(apperr.Unavailable, err, "storing the session")
	}
	return id, ses, PrincipalOf(t), nil
}

// token returns the valid token under hash.
func (s *Sessions) token(ctx context.Context, hash string, plausible bool) (Token, error) {
	if !plausible {
		return Token{}, apperr.New(apperr.Unauthenticated, "the bearer token is not a grants token")
	}
	t, err := s.tokens.ByHash(ctx, hash)
	switch {
	case errors.Is(err, ErrNotFound):
		return Token{}, apperr.New(apperr.Unauthenticated, "the bearer token is not known")
	case err != nil:
		return Token{}, apperr.Wrap(apperr.Unavailable, err, "checking the bearer token")
	case t.Revoked():
		return Token{}, apperr.New(apperr.Unauthenticated, "the bearer token has been revoked")
	}
	return t, nil
}

// Check returns the live session with ID id and its principal. An
// unknown, expired or revoked session, or one whose token was revoked, is
// Unauthenticated (and forgotten).
func (s *Sessions) Check(ctx context.Context, id string) (Session, Principal, error) {
	if !looksLikeSessionID(id) {
		return Session{}, Principal{}, apperr.New(apperr.Unauthenticated, "the session is not known; sign in again")
	}
	ses, err := s.store.Get(ctx, HashSecret(id))
	switch {
	case errors.Is(err, ErrSessionNotFound):
		return Session{}, Principal{}, apperr.New(apperr.Unauthenticated, "the session has ended; sign in again")
	case err != nil:
		return Session{}, Principal{}, apperr.Wrap(apperr.Unavailable, err, "checking the session")
	}
	now := s.clock.Now().UTC()
	if why := s.expired(ses, now); why != "" {
		_ = s.store.Delete(ctx, ses.Hash)
		return Session{}, Principal{}, apperr.New(apperr.Unauthenticated, "the session %s; sign in again", why)
	}
	t, err := s.token(ctx, ses.TokenHash, true)
	if err != nil {
		if apperr.CodeOf(err) == apperr.Unauthenticated {
			_ = s.store.Delete(ctx, ses.Hash)
			return Session{}, Principal{}, apperr.New(apperr.Unauthenticated, "the token of the session is no longer valid; sign in again")
		}
		return Session{}, Principal{}, err
	}
	if now.Sub(ses.LastSeen) >= min(s.cfg.Idle/10, time.Minute) {
		ses.LastSeen = now
		if err := s.store.Put(ctx, ses); err != nil {
			return Session{}, Principal{}, apperr.Wrap(apperr.Unavailable, err, "updating the session")
		}
	}
	return ses, PrincipalOf(t), nil
}

// expired says why ses is over at now, or "" while it is live.
func (s *Sessions) expired(ses Session, now time.Time) string {
	switch {
	case now.Sub(ses.CreatedAt) >= s.cfg.Max:
		return "has reached its maximum lifetime"
	case now.Sub(ses.LastSeen) >= s.cfg.Idle:
		return "has expired after inactivity"
	}
	return ""
}

// Expires returns when ses ends unless it is used again.
func (s *Sessions) Expires(ses Session) time.Time {
	idle, hard := ses.LastSeen.Add(s.cfg.Idle), ses.CreatedAt.Add(s.cfg.Max)
	if idle.Before(hard) {
		return idle
	}
	return hard
}

// End signs the session with ID id out. An unknown session is no error.
func (s *Sessions) End(ctx context.Context, id string) error {
	if err := s.store.Delete(ctx, HashSecret(id)); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "ending the session")
	}
	return nil
}

// List returns the live sessions, oldest first. Sessions found over (or
// whose token was revoked) are forgotten on the way.
func (s *Sessions) List(ctx context.Context) ([]Session, error) {
	all, err := s.store.List(ctx)
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "listing the sessions")
	}
	now := s.clock.Now().UTC()
	out := make([]Session, 0, len(all))
	for _, ses := range all {
		if s.expired(ses, now) == "" {
			if _, err := s.token(ctx, ses.TokenHash, true); err == nil {
				out = append(out, ses)
				continue
			} else if apperr.CodeOf(err) != apperr.Unauthenticated {
				return nil, err
			}
		}
		_ = s.store.Delete(ctx, ses.Hash)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Revoke ends the session whose public handle is handle.
func (s *Sessions) Revoke(ctx context.Context, handle string) (Session, error) {
	all, err := s.store.List(ctx)
	if err != nil {
		return Session{}, apperr.Wrap(apperr.Unavailable, err, "listing the sessions")
	}
	for _, ses := range all {
		if ses.ID == handle {
			if err := s.store.Delete(ctx, ses.Hash); err != nil {
				return Session{}, apperr.Wrap(apperr.Unavailable, err, "revoking the session")
			}
			return ses, nil
		}
	}
	return Session{}, apperr.New(apperr.NotFound, "no session has ID %q", handle)
}

// Sessions returns Sessions for the tokens of s, kept in store.
func (s *Service) Sessions(store SessionStore, cfg SessionConfig) *Sessions {
	return NewSessions(store, s.store, s.clock, cfg)
}

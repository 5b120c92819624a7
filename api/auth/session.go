package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// SessionPrefix starts every session ID, so that one is recognisable and
// never taken for a token.
const SessionPrefix = "grants_ses_"

// ErrSessionNotFound is returned by a SessionStore for an unknown session.
var ErrSessionNotFound = errors.New("session not found")

// Session is a signed-in browser's server-side session. The browser holds
// only the session's random ID, the store only its hash: neither holds the
// API token.
type Session struct {
	// Hash is the hex SHA-256 of the session ID: the store's key.
	Hash string `json:"hash"`
	// ID is the session's public handle ("ses_" and 16 hex digits), by
	// which it is listed and revoked; it does not let anyone in.
	ID string `json:"id"`
	// TokenID is the token that signed in.
	TokenID string `json:"token_id"`
	// TokenHash is the hash of that token's secret, to check on every use
	// that the token still stands.
	TokenHash string `json:"token_hash"`
	// Name, Role and Org are the token's, for the listing.
	Name string `json:"name,omitempty"`
	Role string `json:"role"`
	Org  string `json:"org,omitempty"`
	// CSRF is the session's anti-forgery token, sent back in every form.
	CSRF string `json:"csrf"`
	// CreatedAt is the sign-in time; LastSeen the last use (updated at
	// most once a minute).
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// SessionStore keeps sessions. Implementations must be safe for concurrent
// use and may forget a session once it is older than the absolute timeout.
type SessionStore interface {
	// Put stores s under s.Hash, replacing any earlier record.
	Put(ctx context.Context, s Session) error
	// Get returns the session under hash, or ErrSessionNotFound.
	Get(ctx context.Context, hash string) (Session, error)
	// Delete removes the session under hash; a missing one is no error.
	Delete(ctx context.Context, hash string) error
	// List returns every stored session.
	List(ctx context.Context) ([]Session, error)
}

// Session lifetimes when none are configured.
const (
	// DefaultSessionIdle ends a session unused for this long.
	DefaultSessionIdle = 30 * time.Minute
	// DefaultSessionMax ends a session this long after sign-in.
	DefaultSessionMax = 12 * time.Hour
)

// newSessionID returns a new random session ID, its public handle and a
// CSRF token.
func newSessionID() (id, handle, csrf string, err error) {
	var b [32]byte
	var h [8]byte
	var c [24]byte
	for _, p := range [][]byte{b[:], h[:], c[:]} {
		if _, err := rand.Read(p); err != nil {
			return "", "", "", err
		}
	}
	return SessionPrefix + base64.RawURLEncoding.EncodeToString(b[:]), "ses_" + hex.EncodeToString(h[:]), base64.RawURLEncoding.EncodeToString(c[:]), nil
}

// looksLikeSessionID is a cheap check before any store look-up.
func looksLikeSessionID(s string) bool {
	return strings.HasPrefix(s, SessionPrefix) && len(s) > len(SessionPrefix)+16 && len(s) < 256
}

// NewRandom returns n random bytes, URL-safe base64 encoded (for one-off
// values such as the sign-in form's anti-forgery token).
func NewRandom(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

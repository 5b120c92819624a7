package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
)

// TokenPrefix starts every secret so that a leaked token is recognisable
// (secret scanners, logs).
const TokenPrefix = "grants_"

// Token is what is stored about one bearer token: never the secret itself.
type Token struct {
	// ID is the token's public identifier ("tok_" and 12 hex digits).
	ID string `json:"id"`
	// Name says whose token it is (a person or program), for the audit.
	Name string `json:"name,omitempty"`
	// Hash is the hex SHA-256 of the secret.
	Hash string `json:"hash"`
	// Role is one of the aggregates.Role* constants.
	Role string `json:"role"`
	// Org is the organisation (OID) a beneficiary token acts for.
	Org string `json:"org,omitempty"`
	// CreatedAt is when the token was created.
	CreatedAt time.Time `json:"created_at"`
	// RevokedAt is when the token was revoked; zero while it is valid.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Revoked reports whether the token has been revoked.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Principal is the authenticated caller of a request.
type Principal struct {
	// TokenID is the ID of the token used.
	TokenID string
	// Name is the token's name.
	Name string
	// Role is the caller's role.
	Role string
	// Org is the organisation a beneficiary acts for.
	Org string
}

// PrincipalOf returns the principal a token authenticates.
func PrincipalOf(t Token) Principal {
	return Principal{TokenID: t.ID, Name: t.Name, Role: t.Role, Org: t.Org}
}

// UserID is the caller as recorded in events: the token ID, preceded by
// the token's name when it has one ("alice/tok_0123456789ab").
func (p Principal) UserID() string {
	if p.Name == "" {
		return p.TokenID
	}
	return p.Name + "/" + p.TokenID
}

// Actor is the caller as recorded in every event it causes.
func (p Principal) Actor() events.Actor {
	return events.Actor{UserID: p.UserID(), Role: p.Role, Org: p.Org}
}

// Is reports whether the caller has one of roles.
func (p Principal) Is(roles ...string) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// Roles lists the roles a token may have.
var Roles = []string{aggregates.RoleBeneficiary, aggregates.RoleNationalOffice, aggregates.RoleAnalyst}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool {
	for _, r := range Roles {
		if r == role {
			return true
		}
	}
	return false
}

// HashSecret returns the hex SHA-256 of a secret: the only form stored.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newSecret returns a new random secret and a new token ID.
func newSecret() (secret, id string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	var idb [6]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return "", "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), "tok_" + hex.EncodeToString(idb[:]), nil
}

// looksLikeSecret is a cheap check before any store look-up.
func looksLikeSecret(s string) bool {
	return strings.HasPrefix(s, TokenPrefix) && len(s) > len(TokenPrefix)+16 && len(s) < 256
}

package auth

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// Service creates, lists, revokes and checks tokens.
type Service struct {
	store Store
	clock events.Clock
}

// NewService returns a Service over store; clock dates creation and revocation.
func NewService(store Store, clock events.Clock) *Service {
	return &Service{store: store, clock: clock}
}

// CreateRequest describes a token to create.
type CreateRequest struct {
	// Role is one of Roles.
	Role string
	// Org is required for (and only allowed with) the beneficiary role.
	Org string
	// Name says whose token it is.
	Name string
}

// Create makes a new token and returns it with its secret. The secret is
// shown only now: the store keeps its hash.
func (s *Service) Create(ctx context.Context, req CreateRequest) (Token, string, error) {
	if !ValidRole(req.Role) {
		return Token{}, "", apperr.InvalidField("role", "role %q is not known; use one of %s", req.Role, strings.Join(Roles, ", "))
	}
	switch {
	case req.Role == aggregates.RoleBeneficiary && req.Org == "":
		return Token{}, "", apperr.InvalidField("org", "a beneficiary token acts for one organisation: give its OID")
	case req.Role != aggregates.RoleBeneficiary && req.Org != "":
		return Token{}, "", apperr.InvalidField("org", "only a beneficiary token is bound to an organisation; a %s token is not", req.Role)
	case req.Org != "" && !events.ValidToken(req.Org):
		return Token{}, "", apperr.InvalidField("org", "organisation ID %q: use 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'", req.Org, events.MaxTokenLen)
	case len(req.Name) > 100:
		return Token{}, "", apperr.InvalidField("name", "a token name has at most 100 characters")
	}
	secret, id, err := newSecret()
	if err != nil {
		return Token{}, "", apperr.Wrap(apperr.Internal, err, "generating a token")
	}
	t := Token{ID: id, Name: req.Name, Hash: HashSecret(secret), Role: req.Role, Org: req.Org, CreatedAt: s.clock.Now().UTC()}
	if err := s.store.Put(ctx, t); err != nil {
		return Token{}, "", apperr.Wrap(apperr.Unavailable, err, "storing the token")
	}
	return t, secret, nil
}

// List returns every token ordered by creation time.
func (s *Service) List(ctx context.Context) ([]Token, error) {
	ts, err := s.store.List(ctx)
	if err != nil {
		return nil, apperr.Wrap(apperr.Unavailable, err, "listing tokens")
	}
	sort.Slice(ts, func(i, j int) bool {
		if !ts[i].CreatedAt.Equal(ts[j].CreatedAt) {
			return ts[i].CreatedAt.Before(ts[j].CreatedAt)
		}
		return ts[i].ID < ts[j].ID
	})
	return ts, nil
}

// Revoke revokes the token with ID id; it is kept, marked revoked, so
// that the audit can still name it. Revoking twice is not an error.
func (s *Service) Revoke(ctx context.Context, id string) (Token, error) {
	ts, err := s.store.List(ctx)
	if err != nil {
		return Token{}, apperr.Wrap(apperr.Unavailable, err, "listing tokens")
	}
	for _, t := range ts {
		if t.ID != id {
			continue
		}
		if t.Revoked() {
			return t, nil
		}
		t.RevokedAt = s.clock.Now().UTC()
		if err := s.store.Put(ctx, t); err != nil {
			return Token{}, apperr.Wrap(apperr.Unavailable, err, "revoking the token")
		}
		return t, nil
	}
	return Token{}, apperr.New(apperr.NotFound, "no token has ID %q", id)
}

// Authenticate returns the principal of a bearer secret. An unknown,
// malformed or revoked secret is Unauthenticated; a store failure is
// Unavailable.
func (s *Service) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !looksLikeSecret(secret) {
		return Principal{}, apperr.New(apperr.Unauthenticated, "the bearer token is not a grants token")
	}
	t, err := s.store.ByHash(ctx, HashSecret(secret))
	switch {
	case errors.Is(err, ErrNotFound):
		return Principal{}, apperr.New(apperr.Unauthenticated, "the bearer token is not known")
	case err != nil:
		return Principal{}, apperr.Wrap(apperr.Unavailable, err, "checking the bearer token")
	case t.Revoked():
		return Principal{}, apperr.New(apperr.Unauthenticated, "the bearer token has been revoked")
	}
	return PrincipalOf(t), nil
}

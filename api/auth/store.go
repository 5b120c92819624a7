package auth

import (
	"context"
	"errors"
)

// ErrNotFound is returned by a Store for an unknown token.
var ErrNotFound = errors.New("token not found")

// Store keeps tokens. Implementations must be safe for concurrent use.
type Store interface {
	// Put stores t under t.Hash, replacing any earlier record.
	Put(ctx context.Context, t Token) error
	// ByHash returns the token whose secret hashes to hash, or ErrNotFound.
	ByHash(ctx context.Context, hash string) (Token, error)
	// List returns every token, revoked ones included.
	List(ctx context.Context) ([]Token, error)
}

// Package auth holds the API's bearer tokens: who may call, in which role
// and for which organisation. A token is shown once when created; only its
// SHA-256 hash is kept, in a Store (the JetStream key-value implementation
// is in auth/jetstream) so that every API instance sees the same tokens.
package auth

// Package pii seals personal data for the event stream: crypto-shredding.
//
// Every personal field of an event payload is encrypted (AES-256-GCM) with
// a key of its own data subject, the participant (its organisation's OID
// and its pseudonymous participant ID). The subject keys are kept in a
// KeyStore (a JetStream stream in production, see events/pii/jetstream;
// a participant may have several keys, each block names the one that
// sealed it), each one wrapped with AES-256-GCM by a master key
// that is kept apart from the stream (a file of its own, see LoadOrCreateMaster).
// The events carry only the ciphertext, so their hashes and signatures
// cover the ciphertext: destroying a subject's key (Vault.Destroy, rule
// PD-ERASE) makes its personal data unreadable everywhere, in every copy of
// the stream, while every chain and signature stays valid.
//
// The package is pure: it imports no NATS, SQL or HTTP package.
package pii

import (
	"context"
	"errors"
	"strings"
)

// Algorithms of a Sealed block.
const (
	// AlgAES256GCM is personal data encrypted with the subject's key.
	AlgAES256GCM = "A256GCM"
	// AlgPlainV1 is the in-memory form of personal data written in plain
	// text by schema version 1 (before issue 13), lifted by an upcaster; it
	// is never written to the stream.
	AlgPlainV1 = "plain-v1"
)

// ErrErased is returned by Open when the subject's key was destroyed (or
// the subject is known to be erased): the data is gone for good.
var ErrErased = errors.New("the data subject's personal data was erased")

// ErrNoKey is returned by a KeyStore for a key it does not hold.
var ErrNoKey = errors.New("no such subject key")

// Subject is a data subject: a participant of an organisation.
type Subject struct {
	// Org is the organisation's OID (the project's beneficiary).
	Org string
	// Participant is the pseudonymous participant ID.
	Participant string
}

// String returns "<org>/<participant>", the subject's name in a Sealed block.
func (s Subject) String() string { return s.Org + "/" + s.Participant }

// ParseSubject reads the name String writes.
func ParseSubject(name string) (Subject, bool) {
	org, p, ok := strings.Cut(name, "/")
	if !ok || org == "" || p == "" {
		return Subject{}, false
	}
	return Subject{Org: org, Participant: p}, true
}

// Sealed is the sealed form of one personal-data block in an event payload
// (the JSON object `personal_sealed`).
type Sealed struct {
	// Alg is AlgAES256GCM (or AlgPlainV1 in memory only).
	Alg string `json:"alg"`
	// Subject names the data subject: "<org>/<participant>".
	Subject string `json:"subject"`
	// KeyID names the data subject's keys in the key store (a digest of
	// the subject).
	KeyID string `json:"key_id,omitempty"`
	// KeySeq is the key's sequence in the key store (blocks sealed since
	// issue 16); 0 in an older block, whose key is the subject's one key
	// found by KeyID.
	KeySeq uint64 `json:"key_seq,omitempty"`
	// Nonce is the AES-GCM nonce (12 bytes).
	Nonce []byte `json:"nonce,omitempty"`
	// Ciphertext is the encrypted JSON of the personal block with its tag.
	Ciphertext []byte `json:"ciphertext,omitempty"`
	// Plain is the plain JSON of a version-1 block (AlgPlainV1 only).
	Plain []byte `json:"plain,omitempty"`
}

// Vault seals and opens personal data and destroys a subject's key.
type Vault interface {
	// Seal encrypts plaintext with s's key, creating the key on first use.
	// It refuses a subject whose key was destroyed (ErrErased).
	Seal(ctx context.Context, s Subject, plaintext []byte) (Sealed, error)
	// Open decrypts a sealed block; ErrErased once the key is destroyed.
	Open(ctx context.Context, b Sealed) ([]byte, error)
	// Destroy erases s's key for good (idempotent); afterwards Open of
	// every block of s returns ErrErased and Seal refuses s.
	Destroy(ctx context.Context, s Subject) error
}

// KeyStore holds the wrapped subject keys. Implementations: MemoryKeys
// (tests) and events/pii/jetstream (a JetStream stream with a bounded set
// of subjects, and the key-value bucket of the keys made before issue 16).
// A subject may have several keys, each addressed by its sequence; id is
// always the subject's KeyID.
type KeyStore interface {
	// Current returns a live key of id's that the store holds in memory,
	// to seal with again: ok is false when it holds none, err is
	// ErrErased when id is known to be erased.
	Current(id string) (seq uint64, wrapped []byte, ok bool, err error)
	// Add stores a new wrapped key of id and returns its sequence. An
	// erasure destroys every key of id stored before it, and Add returns
	// ErrErased (destroying the new key) when id's erasure came first.
	Add(ctx context.Context, id string, wrapped []byte) (uint64, error)
	// Key returns the wrapped key of id at seq: ErrErased once it is
	// destroyed (or was never stored).
	Key(ctx context.Context, id string, seq uint64) ([]byte, error)
	// Get returns the one wrapped key id of a block sealed before issue
	// 16 (no KeySeq): ErrNoKey if there is none, ErrErased once id is
	// erased.
	Get(ctx context.Context, id string) ([]byte, error)
	// Destroy erases every key of id for good, so that their bytes are
	// not left behind, and records the erasure, so that no key of id is
	// added after it (idempotent).
	Destroy(ctx context.Context, id string) error
}

// KeyPool is a KeyStore that holds fresh keys made durable ahead, in
// bulk (events/pii/jetstream): a subject with no key at hand takes one of
// them instead of storing a key of its own, so that the event it seals
// waits for no write of a key to disk.
type KeyPool interface {
	// Take binds a fresh pooled key, already durable, to id and returns
	// it (a pooled key is wrapped before it has a subject, see
	// KeyVault.NewPoolKey): ok is false when the pool has none at hand
	// (the caller adds a key of its own), err is ErrErased when id's
	// erasure came first.
	Take(ctx context.Context, id string) (seq uint64, wrapped []byte, ok bool, err error)
}

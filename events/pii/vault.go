package pii

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the size of a master key and of a subject key (AES-256).
const KeySize = 32

// wrapVersion starts every wrapped key.
const wrapVersion = 1

// KeyVault is the Vault: subject keys in a KeyStore, wrapped with the
// master key. It is safe for concurrent use.
type KeyVault struct {
	master cipher.AEAD
	keys   KeyStore
}

// NewVault returns the vault of keys, wrapped by master (KeySize bytes).
func NewVault(master []byte, keys KeyStore) (*KeyVault, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("pii: the master key has %d bytes; want %d", len(master), KeySize)
	}
	aead, err := newGCM(master)
	if err != nil {
		return nil, err
	}
	return &KeyVault{master: aead, keys: keys}, nil
}

// KeyID is the name of s's key in the key store: a digest, so that the
// store's key names carry no participant ID.
func KeyID(s Subject) string {
	sum := sha256.Sum256([]byte(s.Org + "\x00" + s.Participant))
	return "s" + hex.EncodeToString(sum[:20])
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// wrap encrypts a subject key with the master key; the key ID is bound as
// additional data so a wrapped key cannot be moved to another subject.
func (v *KeyVault) wrap(id string, key []byte) []byte {
	out := make([]byte, 1, 1+v.master.NonceSize()+len(key)+v.master.Overhead())
	out[0] = wrapVersion
	nonce := make([]byte, v.master.NonceSize())
	_, _ = rand.Read(nonce)
	out = append(out, nonce...)
	return v.master.Seal(out, nonce, key, []byte(id))
}

func (v *KeyVault) unwrap(id string, wrapped []byte) ([]byte, error) {
	n := v.master.NonceSize()
	if len(wrapped) < 1+n || wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("pii: subject key %s is not a wrapped key", id)
	}
	key, err := v.master.Open(nil, wrapped[1:1+n], wrapped[1+n:], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("pii: subject key %s does not unwrap with this master key: %w", id, err)
	}
	return key, nil
}

// CachedKeyStore is a KeyStore that knows its keys in memory (the
// JetStream one follows its bucket): a key it does not know is most likely
// new, so Seal creates it at once instead of asking the store first.
type CachedKeyStore interface {
	KeyStore
	// Cached returns the wrapped key id from memory: ok is false when it
	// is not there, err is ErrErased when it was destroyed.
	Cached(id string) (wrapped []byte, ok bool, err error)
}

// subjectKey returns s's key, creating it when create is set.
func (v *KeyVault) subjectKey(ctx context.Context, id string, create bool) ([]byte, error) {
	var wrapped []byte
	var err error
	if c, isCached := v.keys.(CachedKeyStore); isCached && create {
		var ok bool
		if wrapped, ok, err = c.Cached(id); !ok && err == nil {
			err = ErrNoKey // Create below returns the key if it exists
		}
	} else {
		wrapped, err = v.keys.Get(ctx, id)
	}
	if errors.Is(err, ErrNoKey) && create {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		wrapped, err = v.keys.Create(ctx, id, v.wrap(id, key))
		if err != nil {
			return nil, err
		}
	} else if errors.Is(err, ErrNoKey) {
		return nil, ErrErased // a sealed block whose key is gone
	} else if err != nil {
		return nil, err
	}
	return v.unwrap(id, wrapped)
}

// aad binds a block to its subject and key.
func aad(b *Sealed) []byte { return []byte(b.Alg + "\x00" + b.Subject + "\x00" + b.KeyID) }

// Seal implements Vault.
func (v *KeyVault) Seal(ctx context.Context, s Subject, plaintext []byte) (Sealed, error) {
	id := KeyID(s)
	key, err := v.subjectKey(ctx, id, true)
	if err != nil {
		return Sealed{}, err
	}
	aead, err := newGCM(key)
	if err != nil {
		return Sealed{}, err
	}
	b := Sealed{Alg: AlgAES256GCM, Subject: s.String(), KeyID: id, Nonce: make([]byte, aead.NonceSize())}
	if _, err := rand.Read(b.Nonce); err != nil {
		return Sealed{}, err
	}
	b.Ciphertext = aead.Seal(nil, b.Nonce, plaintext, aad(&b))
	return b, nil
}

// Open implements Vault.
func (v *KeyVault) Open(ctx context.Context, b Sealed) ([]byte, error) {
	s, ok := ParseSubject(b.Subject)
	if !ok {
		return nil, fmt.Errorf("pii: sealed block names no subject (%q)", b.Subject)
	}
	id := KeyID(s)
	switch b.Alg {
	case AlgPlainV1:
		// Written in plain text before sealing existed: readable until
		// the subject is erased.
		if _, err := v.keys.Get(ctx, id); errors.Is(err, ErrErased) {
			return nil, ErrErased
		} else if err != nil && !errors.Is(err, ErrNoKey) {
			return nil, err
		}
		return b.Plain, nil
	case AlgAES256GCM:
	default:
		return nil, fmt.Errorf("pii: sealed block of %s: unknown algorithm %q", b.Subject, b.Alg)
	}
	if b.KeyID != id {
		return nil, fmt.Errorf("pii: sealed block of %s names key %q, not the subject's", b.Subject, b.KeyID)
	}
	key, err := v.subjectKey(ctx, id, false)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(b.Nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("pii: sealed block of %s: nonce of %d bytes", b.Subject, len(b.Nonce))
	}
	out, err := aead.Open(nil, b.Nonce, b.Ciphertext, aad(&b))
	if err != nil {
		return nil, fmt.Errorf("pii: sealed block of %s does not open: %w", b.Subject, err)
	}
	return out, nil
}

// Destroy implements Vault.
func (v *KeyVault) Destroy(ctx context.Context, s Subject) error {
	return v.keys.Destroy(ctx, KeyID(s))
}

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
	"strconv"
)

// KeySize is the size of a master key and of a subject key (AES-256).
const KeySize = 32

// wrapVersion starts every wrapped key of a subject.
const wrapVersion = 1

// poolWrapVersion starts a pooled key (NewPoolKey): wrapped before it has
// a subject, so its additional data is poolAAD, not a subject key ID.
const poolWrapVersion = 2

// poolAAD is the additional data of a pooled key's wrapping.
const poolAAD = "grants-pii-pooled-key"

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
	return v.wrapAs(wrapVersion, id, key)
}

func (v *KeyVault) wrapAs(version byte, aad string, key []byte) []byte {
	out := make([]byte, 1, 1+v.master.NonceSize()+len(key)+v.master.Overhead())
	out[0] = version
	nonce := make([]byte, v.master.NonceSize())
	_, _ = rand.Read(nonce)
	out = append(out, nonce...)
	return v.master.Seal(out, nonce, key, []byte(aad))
}

// NewPoolKey returns a fresh key wrapped by the master key for a pool of
// keys made durable ahead (KeyPool). It has no subject yet, so its
// wrapping binds none: the blocks it seals bind their subject and the
// key's sequence (aad), and the store records which subject took it.
func (v *KeyVault) NewPoolKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	defer clear(key)
	return v.wrapAs(poolWrapVersion, poolAAD, key), nil
}

func (v *KeyVault) unwrap(id string, wrapped []byte) ([]byte, error) {
	n := v.master.NonceSize()
	if len(wrapped) < 1+n || (wrapped[0] != wrapVersion && wrapped[0] != poolWrapVersion) {
		return nil, fmt.Errorf("pii: subject key %s is not a wrapped key", id)
	}
	aad := id
	if wrapped[0] == poolWrapVersion {
		aad = poolAAD
	}
	key, err := v.master.Open(nil, wrapped[1:1+n], wrapped[1+n:], []byte(aad))
	if err != nil {
		return nil, fmt.Errorf("pii: subject key %s does not unwrap with this master key: %w", id, err)
	}
	return key, nil
}

// aad binds a block to its subject and key.
func aad(b *Sealed) []byte {
	a := b.Alg + "\x00" + b.Subject + "\x00" + b.KeyID
	if b.KeySeq > 0 {
		a += "\x00" + strconv.FormatUint(b.KeySeq, 10)
	}
	return []byte(a)
}

// sealKey returns a key of id to seal with: one the store holds in memory
// (a participant's reports share it), else one of the store's pool
// (KeyPool), else a new one. A participant may so have several keys; each
// block names its own (Sealed.KeySeq).
func (v *KeyVault) sealKey(ctx context.Context, id string) (uint64, []byte, error) {
	seq, wrapped, ok, err := v.keys.Current(id)
	if err != nil {
		return 0, nil, err
	}
	if p, pooled := v.keys.(KeyPool); !ok && pooled {
		if seq, wrapped, ok, err = p.Take(ctx, id); err != nil {
			return 0, nil, err
		}
	}
	if !ok {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return 0, nil, err
		}
		if seq, err = v.keys.Add(ctx, id, v.wrap(id, key)); err != nil {
			return 0, nil, err
		}
		return seq, key, nil
	}
	key, err := v.unwrap(id, wrapped)
	return seq, key, err
}

// openKey returns the key that sealed b (of subject key id).
func (v *KeyVault) openKey(ctx context.Context, id string, b *Sealed) ([]byte, error) {
	var wrapped []byte
	var err error
	if b.KeySeq > 0 {
		wrapped, err = v.keys.Key(ctx, id, b.KeySeq)
	} else if wrapped, err = v.keys.Get(ctx, id); errors.Is(err, ErrNoKey) {
		err = ErrErased // a sealed block whose key is gone
	}
	if err != nil {
		return nil, err
	}
	return v.unwrap(id, wrapped)
}

// Seal implements Vault.
func (v *KeyVault) Seal(ctx context.Context, s Subject, plaintext []byte) (Sealed, error) {
	id := KeyID(s)
	seq, key, err := v.sealKey(ctx, id)
	if err != nil {
		return Sealed{}, err
	}
	aead, err := newGCM(key)
	clear(key)
	if err != nil {
		return Sealed{}, err
	}
	b := Sealed{Alg: AlgAES256GCM, Subject: s.String(), KeyID: id, KeySeq: seq, Nonce: make([]byte, aead.NonceSize())}
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
	key, err := v.openKey(ctx, id, &b)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(key)
	clear(key)
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

// Destroy implements Vault: every key of s's is destroyed.
func (v *KeyVault) Destroy(ctx context.Context, s Subject) error {
	return v.keys.Destroy(ctx, KeyID(s))
}

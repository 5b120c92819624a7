package events

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
)

// SignaturePrefix opens the bytes an event signature covers: the prefix
// then the event's hash (hex). The hash covers the previous hash and the
// canonical bytes (payload included), so the signature covers them too.
const SignaturePrefix = "grants-event-v1\n"

// SigningInput returns the bytes signed for an event with hash hash.
func SigningInput(hash string) []byte {
	b := make([]byte, 0, len(SignaturePrefix)+len(hash))
	b = append(b, SignaturePrefix...)
	return append(b, hash...)
}

// Signer signs the events a store builds. Build calls it once per event.
type Signer interface {
	// KeyID names the key; verifiers look the public key up by it.
	KeyID() string
	// Sign returns the signature of msg.
	Sign(msg []byte) []byte
}

// Ed25519Signer signs with one Ed25519 private key.
type Ed25519Signer struct {
	id   string
	priv ed25519.PrivateKey
}

// NewEd25519Signer returns a signer for priv; its key ID is KeyIDOf its
// public key.
func NewEd25519Signer(priv ed25519.PrivateKey) *Ed25519Signer {
	return &Ed25519Signer{id: KeyIDOf(priv.Public().(ed25519.PublicKey)), priv: priv}
}

// KeyID implements Signer.
func (s *Ed25519Signer) KeyID() string { return s.id }

// Sign implements Signer.
func (s *Ed25519Signer) Sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// Public returns the signer's public key.
func (s *Ed25519Signer) Public() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// KeyIDOf is the key ID of an Ed25519 public key: "ed25519-" and the first
// 16 hex digits of its SHA-256.
func KeyIDOf(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519-" + hex.EncodeToString(sum[:8])
}

// Sign sets e's KeyID and Signature with s (after Seal).
func (e *Envelope) Sign(s Signer) {
	e.KeyID = s.KeyID()
	e.Signature = base64.RawURLEncoding.EncodeToString(s.Sign(SigningInput(e.Hash)))
}

// Signature errors, wrapped by the errors of KeyRing.Verify.
var (
	// ErrUnsigned: the event carries no signature (written before events
	// were signed, or forged without a key).
	ErrUnsigned = errors.New("the event is not signed")
	// ErrUnknownKey: the event names a key that is not in the key ring.
	ErrUnknownKey = errors.New("the event is signed by an unknown key")
	// ErrBadSignature: the signature does not verify with the named key.
	ErrBadSignature = errors.New("the signature does not verify")
)

// KeyRing holds the public keys whose signatures are trusted: the active
// key and every retired one, so that rotation never invalidates history.
// It is safe for concurrent use.
type KeyRing struct {
	mu   sync.RWMutex
	keys map[string]ed25519.PublicKey
	// reload, if set, is asked for the current keys when an event names
	// an unknown key (a key rotated by another process).
	reload func() (map[string]ed25519.PublicKey, error)
}

// NewKeyRing returns a key ring trusting keys; reload (optional) refreshes
// it when an event names an unknown key.
func NewKeyRing(keys []ed25519.PublicKey, reload func() (map[string]ed25519.PublicKey, error)) *KeyRing {
	k := &KeyRing{keys: make(map[string]ed25519.PublicKey, len(keys)), reload: reload}
	for _, p := range keys {
		k.keys[KeyIDOf(p)] = p
	}
	return k
}

// Lookup returns the public key named id.
func (k *KeyRing) Lookup(id string) (ed25519.PublicKey, bool) {
	k.mu.RLock()
	p, ok := k.keys[id]
	k.mu.RUnlock()
	if ok || k.reload == nil {
		return p, ok
	}
	keys, err := k.reload()
	if err != nil {
		return nil, false
	}
	k.mu.Lock()
	k.keys = keys
	k.mu.Unlock()
	p, ok = keys[id]
	return p, ok
}

// IDs returns the IDs of the trusted keys.
func (k *KeyRing) IDs() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]string, 0, len(k.keys))
	for id := range k.keys {
		out = append(out, id)
	}
	return out
}

// VerifySignature checks that sig (base64url) is the signature of the
// key named keyID over msg.
func (k *KeyRing) VerifySignature(keyID, sig string, msg []byte) error {
	if sig == "" || keyID == "" {
		return ErrUnsigned
	}
	pub, ok := k.Lookup(keyID)
	if !ok {
		return fmt.Errorf("%w (%s)", ErrUnknownKey, keyID)
	}
	raw, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !ed25519.Verify(pub, msg, raw) {
		return ErrBadSignature
	}
	return nil
}

// Verify checks e's signature over its stored hash. It does not recompute
// the hash: VerifyChain or e.ComputeHash does.
func (k *KeyRing) Verify(e *Envelope) error {
	return k.VerifySignature(e.KeyID, e.Signature, SigningInput(e.Hash))
}

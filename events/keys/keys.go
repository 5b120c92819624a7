// Package keys keeps the service's Ed25519 signing keys in a directory
// (by default <data-dir>/signing): the file keys.json (mode 0600) holds
// every key the ledger ever signed with, the active one with its private
// key, retired ones with their public key only. Rotation adds a new
// active key and retires the old one; history is never re-signed, so
// events signed by a retired key stay valid.
package keys

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/erasmus-ledger/grants/events"

	"github.com/erasmus-ledger/grants/internal/atomicfile"
)

// FileName is the key file inside the signing directory.
const FileName = "keys.json"

// Key is one signing key as kept in the file.
type Key struct {
	// ID is events.KeyIDOf(Public).
	ID string `json:"id"`
	// Public is the Ed25519 public key.
	Public ed25519.PublicKey `json:"public"`
	// Seed is the private key's seed; only the active key keeps it.
	Seed []byte `json:"seed,omitempty"`
	// Created is when the key was made; Retired when rotation replaced it.
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
}

// Set is the content of the key file.
type Set struct {
	// Active is the ID of the key new events are signed with.
	Active string `json:"active"`
	// Keys are every key, oldest first.
	Keys []Key `json:"keys"`
}

// Path is the key file of dir.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// Load reads the key set of dir.
func Load(dir string) (*Set, error) {
	b, err := os.ReadFile(Path(dir))
	if err != nil {
		return nil, err
	}
	var s Set
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("signing keys %s: %w", Path(dir), err)
	}
	for _, k := range s.Keys {
		if len(k.Public) != ed25519.PublicKeySize || events.KeyIDOf(k.Public) != k.ID {
			return nil, fmt.Errorf("signing keys %s: key %q is damaged", Path(dir), k.ID)
		}
		if k.Seed != nil && (len(k.Seed) != ed25519.SeedSize || !ed25519.NewKeyFromSeed(k.Seed).Public().(ed25519.PublicKey).Equal(k.Public)) {
			return nil, fmt.Errorf("signing keys %s: the private key of %q does not match its public key", Path(dir), k.ID)
		}
	}
	return &s, nil
}

// Open loads the key set of dir, creating the directory (0700) and a
// first key when there is none; created tells whether it did.
func Open(dir string, now time.Time) (s *Set, created bool, err error) {
	s, err = Load(dir)
	if err == nil {
		return s, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("signing keys: %w", err)
	}
	s = &Set{}
	if err := s.add(now); err != nil {
		return nil, false, err
	}
	return s, true, s.save(dir)
}

// Rotate adds a new active key to the set of dir and retires the active
// one (its private key is dropped, its public key kept).
func Rotate(dir string, now time.Time) (*Set, error) {
	s, err := Load(dir)
	if err != nil {
		return nil, err
	}
	for i := range s.Keys {
		if s.Keys[i].ID == s.Active {
			t := now.UTC()
			s.Keys[i].Retired, s.Keys[i].Seed = &t, nil
		}
	}
	if err := s.add(now); err != nil {
		return nil, err
	}
	return s, s.save(dir)
}

func (s *Set) add(now time.Time) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	k := Key{ID: events.KeyIDOf(pub), Public: pub, Seed: priv.Seed(), Created: now.UTC()}
	s.Keys = append(s.Keys, k)
	s.Active = k.ID
	return nil
}

// save writes the set atomically with mode 0600.
func (s *Set) save(dir string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(Path(dir), 0o600, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	return nil
}

// Signer returns the signer of the active key.
func (s *Set) Signer() (*events.Ed25519Signer, error) {
	for _, k := range s.Keys {
		if k.ID == s.Active && k.Seed != nil {
			return events.NewEd25519Signer(ed25519.NewKeyFromSeed(k.Seed)), nil
		}
	}
	return nil, fmt.Errorf("signing keys: the active key %q has no private key here", s.Active)
}

// Public returns every public key by ID.
func (s *Set) Public() map[string]ed25519.PublicKey {
	out := make(map[string]ed25519.PublicKey, len(s.Keys))
	for _, k := range s.Keys {
		out[k.ID] = k.Public
	}
	return out
}

// Ring returns a key ring trusting every key of s that reloads dir when
// an event names a key it does not know (a rotation by another process).
func (s *Set) Ring(dir string) *events.KeyRing {
	pubs := make([]ed25519.PublicKey, 0, len(s.Keys))
	for _, k := range s.Keys {
		pubs = append(pubs, k.Public)
	}
	return events.NewKeyRing(pubs, func() (map[string]ed25519.PublicKey, error) {
		s, err := Load(dir)
		if err != nil {
			return nil, err
		}
		return s.Public(), nil
	})
}

// PublicKey is one key as exported: no private part.
type PublicKey struct {
	ID      string     `json:"id"`
	Public  []byte     `json:"public"`
	Active  bool       `json:"active"`
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
}

// ExportJSON returns the public keys as a JSON array.
func (s *Set) ExportJSON() ([]byte, error) {
	out := make([]PublicKey, 0, len(s.Keys))
	for _, k := range s.Keys {
		out = append(out, PublicKey{ID: k.ID, Public: k.Public, Active: k.ID == s.Active, Created: k.Created, Retired: k.Retired})
	}
	return json.MarshalIndent(out, "", "  ")
}

// ExportPEM returns the public keys as PEM blocks "PUBLIC KEY" (PKIX),
// each with a Key-Id header.
func (s *Set) ExportPEM() ([]byte, error) {
	var b []byte
	for _, k := range s.Keys {
		der, err := x509.MarshalPKIXPublicKey(k.Public)
		if err != nil {
			return nil, err
		}
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{"Key-Id": k.ID}, Bytes: der})...)
	}
	return b, nil
}

// RingFromJSON returns a key ring trusting the public keys of an export
// by ExportJSON (for verifying elsewhere).
func RingFromJSON(b []byte) (*events.KeyRing, error) {
	var ks []PublicKey
	if err := json.Unmarshal(b, &ks); err != nil {
		return nil, err
	}
	pubs := make([]ed25519.PublicKey, 0, len(ks))
	for _, k := range ks {
		if len(k.Public) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("key %q is not an Ed25519 public key", k.ID)
		}
		pubs = append(pubs, k.Public)
	}
	return events.NewKeyRing(pubs, nil), nil
}

// Package privacy is the one place where personal data are taken out of
// what leaves the ledger for analysts (rule PD-EXPORT-PSEUDONYMOUS): the
// personal blocks of event payloads (a mobility's "personal", and
// "personal_sealed", its encrypted form from schema version 2 on) and the
// identities of the persons who acted (Actor.UserID). grants replay --out
// files, the CSV exports and the NDJSON event export all go through it.
// It is pure: no NATS, SQL or HTTP, no clock.
package privacy

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// PersonalKeys are the payload members that hold a data subject's
// personal data, in clear ("personal") or sealed with the subject's key
// ("personal_sealed", schema version 2). A member of that name is removed
// at any depth of a payload.
var PersonalKeys = []string{"personal", "personal_sealed"}

// needle is what every personal key starts with, as a JSON member name.
var needle = []byte(`"personal`)

// StripPersonal returns payload without its personal members (see
// PersonalKeys) and whether it removed any. A payload that names none is
// returned as it is, without being parsed; one that does not parse is
// replaced by null (never passed on half-read).
func StripPersonal(payload []byte) ([]byte, bool) {
	if !bytes.Contains(payload, needle) {
		return payload, false
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var out bytes.Buffer
	out.Grow(len(payload))
	removed, err := copyValue(dec, &out)
	if err != nil {
		return []byte("null"), true
	}
	return out.Bytes(), removed
}

func isPersonal(k string) bool {
	for _, p := range PersonalKeys {
		if k == p {
			return true
		}
	}
	return false
}

// copyValue copies the next JSON value of dec to out, leaving out every
// object member named in PersonalKeys; member order is kept.
func copyValue(dec *json.Decoder, out *bytes.Buffer) (bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	removed := false
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			out.WriteByte('{')
			first := true
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return false, err
				}
				k, _ := kt.(string)
				if isPersonal(k) {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return false, err
					}
					removed = true
					continue
				}
				if !first {
					out.WriteByte(',')
				}
				first = false
				kb, _ := json.Marshal(k)
				out.Write(kb)
				out.WriteByte(':')
				r, err := copyValue(dec, out)
				if err != nil {
					return false, err
				}
				removed = removed || r
			}
			if _, err := dec.Token(); err != nil {
				return false, err
			}
			out.WriteByte('}')
		case '[':
			out.WriteByte('[')
			first := true
			for dec.More() {
				if !first {
					out.WriteByte(',')
				}
				first = false
				r, err := copyValue(dec, out)
				if err != nil {
					return false, err
				}
				removed = removed || r
			}
			if _, err := dec.Token(); err != nil {
				return false, err
			}
			out.WriteByte(']')
		}
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return false, err
		}
		out.Write(b)
	}
	return removed, nil
}

// Pseudonymiser replaces the identities of persons who acted by
// pseudonyms: the same user always gets the same pseudonym from one
// Pseudonymiser (so an analyst can still count one person's actions),
// and nobody without its key can tell who it was. Each export makes its
// own (NewPseudonymiser), so pseudonyms of two exports cannot be linked.
type Pseudonymiser struct {
	key []byte
}

// NewPseudonymiser returns a Pseudonymiser with a fresh random key.
func NewPseudonymiser() *Pseudonymiser {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // never fails (crypto/rand)
	return &Pseudonymiser{key: k}
}

// NewPseudonymiserWithKey returns a Pseudonymiser with a given key, for
// tests and for exports that must be linkable with each other.
func NewPseudonymiserWithKey(key []byte) *Pseudonymiser {
	return &Pseudonymiser{key: append([]byte(nil), key...)}
}

// SystemPrefix opens the user IDs of the service's own actors (the
// deadline scheduler's "system-deadlines"), which are no persons and are
// kept as they are.
const SystemPrefix = "system-"

// PseudonymPrefix opens every pseudonym.
const PseudonymPrefix = "person-"

// User returns the pseudonym of a user ID ("" stays "").
func (p *Pseudonymiser) User(id string) string {
	if id == "" || strings.HasPrefix(id, SystemPrefix) {
		return id
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(id))
	return PseudonymPrefix + hex.EncodeToString(m.Sum(nil)[:8])
}

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
	"sync"
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
// returned as it is; one that does not scan as JSON is replaced by null
// (never passed on half-read). It scans the bytes once, without decoding
// (an export strips a million payloads): members are copied verbatim, in
// order.
func StripPersonal(payload []byte) ([]byte, bool) {
	if !bytes.Contains(payload, needle) && bytes.IndexByte(payload, '\\') < 0 {
		return payload, false // no member can be personal, even escaped
	}
	out := make([]byte, 0, len(payload))
	removed := false
	i, n := 0, len(payload)
	for i < n {
		c := payload[i]
		if c != '"' {
			out = append(out, c)
			i++
			continue
		}
		end, ok := stringEnd(payload, i)
		if !ok {
			return []byte("null"), true
		}
		j := skipSpace(payload, end)
		if j < n && payload[j] == ':' && isPersonalKey(payload[i:end]) {
			vend, ok := valueEnd(payload, skipSpace(payload, j+1))
			if !ok {
				return []byte("null"), true
			}
			removed = true
			// Drop the member and one comma: the one before it, or, for
			// a first member, the one after it.
			k := len(out)
			for k > 0 && isSpace(out[k-1]) {
				k--
			}
			if k > 0 && out[k-1] == ',' {
				out = out[:k-1]
				i = vend
			} else {
				m := skipSpace(payload, vend)
				if m < n && payload[m] == ',' {
					m++
				}
				i = m
			}
			continue
		}
		out = append(out, payload[i:end]...)
		i = end
	}
	return out, removed
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// stringEnd returns the index just after the JSON string starting at b[i].
func stringEnd(b []byte, i int) (int, bool) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// valueEnd returns the index just after the JSON value starting at b[i].
func valueEnd(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, ok := stringEnd(b, j)
				if !ok {
					return 0, false
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && !isSpace(b[j]) {
		j++
	}
	return j, j > i
}

// isPersonalKey reads a member name (quoted, escapes and all).
func isPersonalKey(quoted []byte) bool {
	k := string(quoted[1 : len(quoted)-1])
	if bytes.IndexByte(quoted, '\\') >= 0 {
		if json.Unmarshal(quoted, &k) != nil {
			return false
		}
	}
	return isPersonal(k)
}

func isPersonal(k string) bool {
	for _, p := range PersonalKeys {
		if k == p {
			return true
		}
	}
	return false
}

// Pseudonymiser replaces the identities of persons who acted by
// pseudonyms: the same user always gets the same pseudonym from one
// Pseudonymiser (so an analyst can still count one person's actions),
// and nobody without its key can tell who it was. Each export makes its
// own (NewPseudonymiser), so pseudonyms of two exports cannot be linked.
type Pseudonymiser struct {
	key []byte
	mu  sync.Mutex
	// seen keeps the pseudonyms made (a log has few actors and many
	// events), up to maxSeen.
	seen map[string]string
}

// maxSeen bounds the pseudonyms a Pseudonymiser remembers.
const maxSeen = 1 << 16

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
	p.mu.Lock()
	defer p.mu.Unlock()
	if ps, ok := p.seen[id]; ok {
		return ps
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(id))
	ps := PseudonymPrefix + hex.EncodeToString(m.Sum(nil)[:8])
	if p.seen == nil {
		p.seen = map[string]string{}
	}
	if len(p.seen) < maxSeen {
		p.seen[id] = ps
	}
	return ps
}

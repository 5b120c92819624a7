package sqlite

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"unicode/utf8"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events/pii"
)

// A rebuild opens every sealed personal block (PD-SEALED): the block and
// the personal data inside it are read on the fast JSON path (fastjson.go),
// with encoding/json as the fallback that gives the same result or error.

// sealedKeys are the fields of pii.Sealed.
var sealedKeys = []string{"alg", "subject", "key_id", "key_seq", "nonce", "ciphertext", "plain"}

// decodeSealed reads a sealed block as json.Unmarshal reads it into
// pii.Sealed. Its strings may alias b.
func decodeSealed(b []byte, s *pii.Sealed) error {
	if utf8.Valid(b) {
		r := jreader{b: b}
		err := r.object(func(k []byte) error {
			switch string(k) {
			case "alg":
				return r.strTo(&s.Alg)
			case "subject":
				return r.strTo(&s.Subject)
			case "key_id":
				return r.strTo(&s.KeyID)
			case "key_seq":
				return uintTo(&r, &s.KeySeq)
			case "nonce":
				return bytesTo(&r, &s.Nonce)
			case "ciphertext":
				return bytesTo(&r, &s.Ciphertext)
			case "plain":
				return bytesTo(&r, &s.Plain)
			}
			return r.other(k, sealedKeys)
		})
		if err == nil && r.end() == nil {
			return nil
		}
	}
	*s = pii.Sealed{}
	return json.Unmarshal(b, s)
}

// uintTo reads an unsigned integer into *p as encoding/json reads a
// uint64 (null leaves it).
func uintTo(r *jreader, p *uint64) error {
	if r.null() {
		return nil
	}
	n, err := r.int()
	if err != nil || n < 0 {
		return errFast
	}
	*p = uint64(n)
	return nil
}

// bytesTo reads a base64 string into *p as encoding/json reads a []byte
// (null sets nil).
func bytesTo(r *jreader, p *[]byte) error {
	if r.null() {
		*p = nil
		return nil
	}
	s, err := r.str()
	if err != nil {
		return err
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, []byte(s))
	if err != nil {
		return errFast
	}
	*p = out[:n]
	return nil
}

// decodeOpened reads an opened personal block (the JSON of
// aggregates.Personal, see personal.Open) into e's personal fields, the
// birth date as Date.String gives it. The strings may alias b.
func decodeOpened(b []byte, e *mobilityEvent) error {
	pd := &e.Mobility.Personal
	if utf8.Valid(b) {
		var first, last, birth, email, gender, nat string
		r := jreader{b: b}
		err := r.object(func(k []byte) error {
			switch string(k) {
			case "first_name":
				return r.strTo(&first)
			case "last_name":
				return r.strTo(&last)
			case "birth_date":
				if r.null() {
					birth = ""
					return nil
				}
				return r.strTo(&birth)
			case "email":
				return r.strTo(&email)
			case "gender":
				return r.strTo(&gender)
			case "nationality":
				return r.strTo(&nat)
			}
			return r.other(k, personalKeys)
		})
		if err == nil && r.end() == nil {
			var d aggregates.Date
			if birth != "" {
				d, err = aggregates.ParseDate(birth)
			}
			if err == nil {
				pd.FirstName, pd.LastName, pd.Email, pd.Gender, pd.Nationality = first, last, email, gender, nat
				pd.BirthDate = ""
				if !d.IsZero() {
					pd.BirthDate = d.String()
				}
				return nil
			}
		}
	}
	var p aggregates.Personal
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	pd.FirstName, pd.LastName, pd.Email, pd.Gender, pd.Nationality = p.FirstName, p.LastName, p.Email, p.Gender, p.Nationality
	pd.BirthDate = ""
	if !p.BirthDate.IsZero() {
		pd.BirthDate = p.BirthDate.String()
	}
	return nil
}

// checkKept reads a sealed block as decodeSealed does, but for a block
// kept sealed in the stream (keepOrOpen): it returns the algorithm and
// the subject, and checks that the nonce is nonceSize bytes long and the
// ciphertext base64, without copying either (they are decoded into a
// buffer on the stack and dropped). Its alg and subject may alias b. ok is
// false when the fast path cannot read b or the nonce is not nonceSize
// bytes long; decodeSealed then tells.
func checkKept(b []byte, nonceSize int) (alg, subject string, ok bool) {
	if !utf8.Valid(b) {
		return "", "", false
	}
	var nonce, ct []byte
	r := jreader{b: b}
	// base64 has no character JSON escapes: the texts are read in place.
	raw := func(p *[]byte) error {
		v, ok := r.rawString()
		if !ok {
			return errFast
		}
		*p = v
		return nil
	}
	err := r.object(func(k []byte) error {
		switch string(k) {
		case "alg":
			return r.strTo(&alg)
		case "subject":
			return r.strTo(&subject)
		case "nonce":
			return raw(&nonce)
		case "ciphertext":
			return raw(&ct)
		case "key_id", "key_seq", "plain":
			return r.skip(0)
		}
		return r.other(k, sealedKeys)
	})
	if err != nil || r.end() != nil {
		return "", "", false
	}
	enc := base64.StdEncoding
	var scratch [192]byte // 256 base64 characters
	if enc.DecodedLen(len(nonce)) > len(scratch) {
		return "", "", false
	}
	if n, err := enc.Decode(scratch[:], nonce); err != nil || n != nonceSize {
		return "", "", false
	}
	// The ciphertext in pieces of 256 characters: padding may only end
	// the last one, as in one Decode of the whole.
	for len(ct) > 0 {
		piece := ct[:min(len(ct), 256)]
		if _, err := enc.Decode(scratch[:], piece); err != nil || (len(piece) < len(ct) && bytes.IndexByte(piece, '=') >= 0) {
			return "", "", false
		}
		ct = ct[len(piece):]
	}
	return alg, subject, true
}

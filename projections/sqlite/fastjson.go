package sqlite

import (
	"errors"
	"strconv"
	"unsafe"

	"github.com/erasmus-ledger/grants/internal/jsonspan"
)

// jreader is a minimal JSON reader for the hottest payloads of a replay
// (see decodeMobilityEvent). It understands exactly JSON's grammar for the
// shapes it is asked for and reports errFast for anything else; callers
// then fall back to encoding/json, which gives the proper error or result.
// b must be valid UTF-8 (the caller checks it once, for the whole input).
type jreader struct {
	b []byte
	i int
}

// errFast tells the caller to fall back to encoding/json.
var errFast = errors.New("not handled by the fast JSON path")

func (r *jreader) ws() {
	// Compact JSON, as the store writes it, has no white space at all.
	if r.i < len(r.b) && r.b[r.i] > ' ' {
		return
	}
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte (0 at the end).
func (r *jreader) peek() byte {
	r.ws()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// null consumes a null literal if one is next.
func (r *jreader) null() bool {
	if r.peek() == 'n' && r.i+4 <= len(r.b) && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// object calls field for every member of the object that comes next
// (nothing for null); field must consume the member's value.
func (r *jreader) object(field func(key []byte) error) error {
	if r.null() {
		return nil
	}
	if r.peek() != '{' {
		return errFast
	}
	r.i++
	if r.peek() == '}' {
		r.i++
		return nil
	}
	for {
		if r.peek() != '"' {
			return errFast
		}
		key, ok := r.rawStringHere()
		if !ok {
			return errFast
		}
		if r.peek() != ':' {
			return errFast
		}
		r.i++
		if err := field(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return errFast
		}
	}
}

// rawString returns the bytes of a string without escapes (ok false when
// it has escapes or is not a string).
func (r *jreader) rawString() ([]byte, bool) {
	if r.peek() != '"' {
		return nil, false
	}
	return r.rawStringHere()
}

// rawStringHere is rawString when r.b[r.i] is known to be a quote.
func (r *jreader) rawStringHere() ([]byte, bool) {
	start := r.i + 1
	j := start + jsonspan.Plain(r.b[start:])
	if j < len(r.b) && r.b[j] == '"' {
		r.i = j + 1
		return r.b[start:j], true
	}
	return nil, false
}

// str reads a string. null is left to encoding/json, which keeps the
// field's earlier value (a key given twice), as are str, int and bool's
// callers. An unescaped string aliases r.b (no
// copy): r.b must not change while the string is in use, and a string
// kept beyond the event must be cloned. r.b is valid UTF-8 (see
// decodeMobilityEvent), so the string is too.
func (r *jreader) str() (string, error) {
	if r.peek() != '"' {
		return "", errFast
	}
	if raw, ok := r.rawStringHere(); ok {
		return unsafe.String(unsafe.SliceData(raw), len(raw)), nil
	}
	// A string with escapes.
	out := make([]byte, 0, 32)
	for j := r.i + 1; j < len(r.b); j++ {
		c := r.b[j]
		switch {
		case c == '"':
			r.i = j + 1
			return string(out), nil
		case c < 0x20:
			return "", errFast
		case c != '\\':
			out = append(out, c)
			continue
		}
		var n int
		var ok bool
		if out, n, ok = jsonspan.AppendEscape(out, r.b[j:]); !ok {
			return "", errFast
		}
		j += n - 1
	}
	return "", errFast
}

// int reads an integer; fractions, exponents and null fall back.
func (r *jreader) int() (int64, error) {
	r.ws()
	start := r.i
	neg := r.i < len(r.b) && r.b[r.i] == '-'
	if neg {
		r.i++
	}
	digits := r.i
	var v int64
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		v = v*10 + int64(r.b[r.i]-'0')
		r.i++
	}
	if r.i == digits || (r.b[digits] == '0' && r.i-digits > 1) {
		return 0, errFast
	}
	if r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		return 0, errFast
	}
	if r.i-digits <= 18 {
		// Eighteen digits cannot overflow: the value is v, without
		// strconv's second pass.
		if neg {
			v = -v
		}
		return v, nil
	}
	n, err := strconv.ParseInt(string(r.b[start:r.i]), 10, 64)
	if err != nil {
		return 0, errFast
	}
	return n, nil
}

// bool reads true or false; null falls back.
func (r *jreader) bool() (bool, error) {
	r.ws()
	switch {
	case r.i+4 <= len(r.b) && string(r.b[r.i:r.i+4]) == "true":
		r.i += 4
		return true, nil
	case r.i+5 <= len(r.b) && string(r.b[r.i:r.i+5]) == "false":
		r.i += 5
		return false, nil
	}
	return false, errFast
}

// raw returns the bytes of the next value, whatever it is.
func (r *jreader) raw() ([]byte, error) {
	r.ws()
	start := r.i
	if err := r.skip(0); err != nil {
		return nil, err
	}
	return r.b[start:r.i], nil
}

// skip consumes one value.
func (r *jreader) skip(depth int) error {
	if depth > 64 {
		return errFast
	}
	switch c := r.peek(); {
	case c == '{':
		return r.object(func([]byte) error { return r.skip(depth + 1) })
	case c == '[':
		return r.array(func() error { return r.skip(depth + 1) })
	case c == '"':
		if _, ok := r.rawString(); ok {
			return nil
		}
		_, err := r.str() // escapes: check them
		return err
	case c == 't' || c == 'f':
		_, err := r.bool()
		return err
	case c == 'n':
		if r.null() {
			return nil
		}
		return errFast
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	}
	return errFast
}

// number consumes a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (r *jreader) number() error {
	b := r.b
	if r.i < len(b) && b[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		start := r.i
		for r.i < len(b) && b[r.i] >= '0' && b[r.i] <= '9' {
			r.i++
		}
		return r.i - start
	}
	switch {
	case r.i < len(b) && b[r.i] == '0':
		r.i++
	case digits() == 0:
		return errFast
	}
	if r.i < len(b) && b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return errFast
		}
	}
	if r.i < len(b) && (b[r.i] == 'e' || b[r.i] == 'E') {
		r.i++
		if r.i < len(b) && (b[r.i] == '+' || b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return errFast
		}
	}
	return nil
}

// array calls elem for every element of the array that comes next.
func (r *jreader) array(elem func() error) error {
	if r.null() {
		return nil
	}
	if r.peek() != '[' {
		return errFast
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return nil
		default:
			return errFast
		}
	}
}

// end checks that only white space follows.
func (r *jreader) end() error {
	if r.peek() != 0 || r.i != len(r.b) {
		return errFast
	}
	return nil
}

// strTo reads a string into *p. null leaves *p as it was, as encoding/json
// leaves a field (which matters when a key is given twice).
func (r *jreader) strTo(p *string) error {
	if r.peek() == '"' {
		// Most values: a string without escapes, read in place.
		if raw, ok := r.rawStringHere(); ok {
			*p = unsafe.String(unsafe.SliceData(raw), len(raw))
			return nil
		}
	} else if r.null() {
		return nil
	}
	s, err := r.str()
	if err == nil {
		*p = s
	}
	return err
}

// intTo reads an integer into *p (null leaves it, see strTo); a value out
// of *p's range falls back.
func intTo[T ~int | ~int64](r *jreader, p *T) error {
	if r.null() {
		return nil
	}
	n, err := r.int()
	if err != nil {
		return err
	}
	if int64(T(n)) != n {
		return errFast
	}
	*p = T(n)
	return nil
}

// boolTo reads true or false into *p (null leaves it, see strTo).
func (r *jreader) boolTo(p *bool) error {
	if r.null() {
		return nil
	}
	v, err := r.bool()
	if err == nil {
		*p = v
	}
	return err
}

// Package jsonspan finds the end of the plain run of a JSON string and
// decodes its escapes: what the hand-written JSON readers (the CloudEvent
// body in events/jetstream, the hot payloads in projections/sqlite, a
// report's event in aggregates) do for every string they read.
package jsonspan

import (
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// Stop marks the bytes that end a plain run inside a JSON string: the
// closing quote, a backslash and the control characters JSON forbids.
var Stop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// Plain returns the length of the longest prefix of b without a quote, a
// backslash or a control character: eight bytes at a time while none of
// them is one (hashes, signatures, IDs, dates), then byte by byte. A
// byte-by-byte table scan cost about a quarter of a mobility payload's
// decoding, strings.IndexByte's vector set-up per short string more.
func Plain(b []byte) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i : i+8])
		// A byte below 0x20, or one equal to '"' or '\\' (zero after the
		// xor), sets its high bit in this test (bytes from 0x80 never do;
		// a false alarm only hands the word to the loop below).
		if ((x-ones*0x20)|((x^(ones*'"'))-ones)|((x^(ones*'\\'))-ones))&^x&highs != 0 {
			break
		}
	}
	for i < len(b) && !Stop[b[i]] {
		i++
	}
	return i
}

// AppendEscape appends what the escape at the start of b (a backslash)
// stands for in a JSON string, as encoding/json decodes it (a surrogate
// pair as one rune, a lone surrogate as U+FFFD), and returns how many
// bytes of b it read; ok is false for a malformed escape.
func AppendEscape(out, b []byte) (_ []byte, n int, ok bool) {
	if len(b) < 2 || b[0] != '\\' {
		return out, 0, false
	}
	switch c := b[1]; c {
	case '"', '\\', '/':
		return append(out, c), 2, true
	case 'b':
		return append(out, '\b'), 2, true
	case 'f':
		return append(out, '\f'), 2, true
	case 'n':
		return append(out, '\n'), 2, true
	case 'r':
		return append(out, '\r'), 2, true
	case 't':
		return append(out, '\t'), 2, true
	case 'u':
	default:
		return out, 0, false
	}
	ru, ok := hex4(b[2:])
	if !ok {
		return out, 0, false
	}
	n = 6
	if utf16.IsSurrogate(ru) {
		if lo, ok := hex4(b[min(len(b), 8):]); ok && len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if dec := utf16.DecodeRune(ru, lo); dec != utf8.RuneError {
				return utf8.AppendRune(out, dec), 12, true
			}
		}
		ru = utf8.RuneError
	}
	return utf8.AppendRune(out, ru), n, true
}

// hex4 reads the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var x rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			x = x<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			x = x<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			x = x<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return x, true
}

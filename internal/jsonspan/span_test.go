package jsonspan

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// TestPlainStopsAtTheFirstQuoteBackslashOrControlByte: the eight-bytes-at-
// a-time scan ends exactly where a byte-by-byte scan does, wherever the
// stop byte falls within a word, bytes from 0x80 (UTF-8) included.
func TestPlainStopsAtTheFirstQuoteBackslashOrControlByte(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.SampledFrom([]byte{'a', '0', '"', '\\', 0x00, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xa2, 0xdc, 0xff})).Draw(t, "bytes")
		want := 0
		for want < len(b) && !Stop[b[want]] {
			want++
		}
		if got := Plain(b); got != want {
			t.Fatalf("Plain(%q) = %d, want %d", b, got, want)
		}
	})
}

func BenchmarkPlain(b *testing.B) {
	s := []byte(`4c99c931788688db27848e87b5328fe1f03f811162b78f1ebbd733921580c57a"`)
	for b.Loop() {
		if Plain(s) != len(s)-1 {
			b.Fatal("wrong span")
		}
	}
}

// TestAppendEscapeIsEncodingJSON: a string read with Plain and
// AppendEscape is what encoding/json reads, surrogates included, and one
// with a malformed escape is refused by both.
func TestAppendEscapeIsEncodingJSON(t *testing.T) {
	read := func(s string) (string, bool) {
		var out []byte
		b := []byte(s)
		for len(b) > 0 {
			n := Plain(b)
			out, b = append(out, b[:n]...), b[n:]
			if len(b) == 0 {
				break
			}
			var ok bool
			if out, n, ok = AppendEscape(out, b); !ok {
				return "", false
			}
			b = b[n:]
		}
		return string(out), true
	}
	for _, s := range []string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u0041`, `\u00e9`, `\u00E9`, `\u2028`, `\u0000`,
		`a\ud83d\ude00b`, `\uD83D\uDE00`, `\ud83d`, `\ud83dx`, `\ud83d\u0041`, `\ude00`, `\ud83d\ud83d\ude00`, `\ud83d\n`,
		`\ud83d\u12`, `\x`, `\u12`, `\u12g4`, `\`, `\U0041`, `x\`} {
		var want string
		werr := json.Unmarshal([]byte(`"`+s+`"`), &want)
		got, ok := read(s)
		switch {
		case ok != (werr == nil):
			t.Errorf("%s: read %q, %v; encoding/json %q, %v", s, got, ok, want, werr)
		case ok && got != want:
			t.Errorf("%s read as %q; encoding/json reads %q", s, got, want)
		}
	}
}

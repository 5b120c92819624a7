package jsonspan

import (
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

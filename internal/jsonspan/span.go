// Package jsonspan finds the end of the plain run of a JSON string: the
// scan both hand-written JSON readers of a replay (the CloudEvent body in
// events/jetstream, the hot payloads in projections/sqlite) make for every
// string they read.
package jsonspan

import "encoding/binary"

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

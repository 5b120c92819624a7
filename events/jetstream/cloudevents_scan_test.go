package jetstream

import (
	"strings"
	"testing"
)

// TestCloudEventStringsAreReadAsJSON: a body's strings are JSON strings:
// escapes are decoded, a raw control character or an unterminated string
// refuses the body.
func TestCloudEventStringsAreReadAsJSON(t *testing.T) {
	e := plainEnvelope()
	_, body := encodeMsg(&e, 0)
	plain := string(body)
	for _, tc := range []struct {
		name, from, to string
		reason         string // the reason read; "" for a refused body
		cut            bool   // the body ends after to
	}{
		{"escaped quote and line break decoded", `"reason":"correction of the end date"`, `"reason":"a \"b\"\nc"`, "a \"b\"\nc", false},
		{"raw control character refused", `"reason":"correction of the end date"`, "\"reason\":\"a\tb\"", "", false},
		{"raw control character after eight plain bytes refused", `"reason":"correction of the end date"`, "\"reason\":\"abcdefghij\x01\"", "", false},
		{"unterminated string refused", `"reason":"correction of the end date"`, `"reason":"abc`, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(plain, tc.from) {
				t.Fatalf("the sample body lacks %s", tc.from)
			}
			b := []byte(strings.Replace(plain, tc.from, tc.to, 1))
			if tc.cut {
				b = b[:strings.Index(string(b), tc.to)+len(tc.to)]
			}
			got, err := DecodeMsg(e.Ref.Subject(), nil, b, 1)
			switch {
			case tc.reason == "" && err == nil:
				t.Fatalf("read %q", got.Reason)
			case tc.reason != "" && err != nil:
				t.Fatal(err)
			case tc.reason != "" && got.Reason != tc.reason:
				t.Fatalf("reason %q, want %q", got.Reason, tc.reason)
			}
		})
	}
}

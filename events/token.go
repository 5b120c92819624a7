package events

import "fmt"

// MaxTokenLen is the longest organisation, kind or aggregate ID accepted in a subject.
const MaxTokenLen = 64

// ValidToken reports whether s may stand as one token of an event subject:
// 1 to MaxTokenLen characters of [A-Za-z0-9_-]. This keeps NATS wildcards and
// separators out of subjects built from user input.
func ValidToken(s string) bool {
	if len(s) == 0 || len(s) > MaxTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// Validate checks every token of r.
func (r Ref) Validate() error {
	for _, t := range [][2]string{{"org", r.Org}, {"kind", r.Kind}, {"id", r.ID}} {
		if !ValidToken(t[1]) {
			return fmt.Errorf("%s %q: use 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'", t[0], t[1], MaxTokenLen)
		}
	}
	return nil
}

package aggregates

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// The rules of clean input (docs/rules.md section 10). Their errors are
// apperr.Invalid (HTTP 400) with the rule and the field at fault.
const (
	// RuleAmountRange: an amount lies between 0 and its field's bound.
	RuleAmountRange = "INPUT-AMOUNT-RANGE"
	// RuleText: text is valid UTF-8 without control, bidi-override or
	// invisible formatting characters (tab and newline only in multi-line text).
	RuleText = "INPUT-TEXT"
	// RuleTextLength: text is at most MaxTextRunes characters.
	RuleTextLength = "INPUT-TEXT-LENGTH"
	// RuleDateRange: a date lies between MinDate and MaxDate.
	RuleDateRange = "INPUT-DATE-RANGE"
)

// MaxTextRunes is the longest text of any one input field, in characters.
const MaxTextRunes = 2000

// Bounds of the dates of input: no Erasmus+ record, birth dates included,
// lies outside them; a year like 0024 or 20024 is a typo.
var (
	MinDate = NewDate(1900, 1, 1)
	MaxDate = NewDate(2100, 12, 31)
)

// multiLineFields are the leaf names of the fields whose text may span
// lines (tab, CR and LF allowed); every other text is one line.
var multiLineFields = map[string]bool{
	"reason": true, "note": true, "summary": true, "justification": true, "text": true,
	"Grants-Reason": true,
}

// MultiLine reports whether the field at path holds multi-line text: its
// last name (after the last '.', without an index) is a free-text field
// such as reason, note, summary or justification.
func MultiLine(path string) bool {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return multiLineFields[path]
}

// CheckText returns an error naming field when s is not clean text: valid
// UTF-8, at most MaxTextRunes characters, no control characters (tab, CR
// and LF only where multiLine), no bidirectional overrides or isolates
// (U+202A-202E, U+2066-2069), no direction marks (U+200E, U+200F, U+061C),
// no line or paragraph separators (U+2028, U+2029) and no byte-order mark
// or other invisible format character of Unicode category Cf except the
// zero-width (non-)joiners that some scripts need.
func CheckText(field, s string, multiLine bool) error {
	if len(s) <= MaxTextRunes && printableASCII(s) {
		return nil // the common case: every byte one clean character
	}
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return &apperr.Error{Code: apperr.Invalid, Rule: RuleText, Field: field,
			Message: fmt.Sprintf("the text is not valid UTF-8 (at byte %d); send UTF-8", i)}
	}
	n := 0
	for i, r := range s {
		n++
		if bad := badRune(r, multiLine); bad != "" {
			return &apperr.Error{Code: apperr.Invalid, Rule: RuleText, Field: field,
				Message: fmt.Sprintf("the text holds %s (U+%04X at byte %d), which is not allowed here", bad, r, i)}
		}
	}
	if n > MaxTextRunes {
		return &apperr.Error{Code: apperr.Invalid, Rule: RuleTextLength, Field: field,
			Message: fmt.Sprintf("the text has %d characters; at most %d are allowed", n, MaxTextRunes)}
	}
	return nil
}

// printableASCII reports whether every byte of s is printable ASCII
// (U+0020-U+007E), none of which badRune refuses.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// badRune names the kind of a character refused in text, or "".
func badRune(r rune, multiLine bool) string {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		if multiLine {
			return ""
		}
		return "a tab or line break in one-line text"
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return "a control character"
	case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
		return "a bidirectional override or isolate"
	case r == 0x200e || r == 0x200f || r == 0x061c:
		return "a direction mark"
	case r == 0x2028 || r == 0x2029:
		return "a line or paragraph separator"
	case r == 0x200c || r == 0x200d:
		return "" // zero-width non-joiner and joiner: needed by Persian, Indic scripts and emoji
	case unicode.Is(unicode.Cf, r):
		return "an invisible formatting character"
	case r >= 0xfdd0 && r <= 0xfdef, r&0xfffe == 0xfffe:
		return "a Unicode noncharacter"
	}
	return ""
}

// CheckDate returns an error naming field when d (not zero) lies outside
// MinDate..MaxDate.
func CheckDate(field string, d Date) error {
	if d.IsZero() || (!d.Before(MinDate) && !d.After(MaxDate)) {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Rule: RuleDateRange, Field: field,
		Message: fmt.Sprintf("the date %s is not between %s and %s", d, MinDate, MaxDate)}
}

// CheckAmount returns an error naming field when cents is not within 0 to
// limit (money.MaxProjectCents or money.MaxMobilityCents).
func CheckAmount(field string, cents, limit int64) error {
	if money.InRange(cents, limit) {
		return nil
	}
	return &apperr.Error{Code: apperr.Invalid, Rule: RuleAmountRange, Field: field,
		Message: fmt.Sprintf("%d cents is not within 0 to %d cents (%s)", cents, limit, euros(limit))}
}

package docs

import (
	"regexp"
	"strings"
)

// idShape is the shape of a rule ID: upper-case words of letters and
// digits joined by hyphens, the first starting with a letter
// (KA122-MAX-MOB, LIFE-ORDER, UA-SCOPE).
var idShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$`)

// prefixOf returns the first word of a rule ID when it is made of letters
// only (LIFE of LIFE-ORDER), else "". Action codes (KA122-...) also start
// project numbers and call names, so they make no prefix.
func prefixOf(id string) string {
	p, _, _ := strings.Cut(id, "-")
	if strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return ""
	}
	return p
}

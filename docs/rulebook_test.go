package docs

import (
	"bufio"
	"fmt"
	"regexp"
	"strings"
)

// idShape is the shape of a rule ID: upper-case words of letters and
// digits joined by hyphens, the first starting with a letter
// (KA122-MAX-MOB, LIFE-ORDER, UA-SCOPE).
var idShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$`)

// rulebookIDs returns the rule IDs that rulebook (the text of RULES.md)
// documents: the first cell of every table row that has the shape of a
// rule ID, with the line it is on. A repeated ID is an error.
func rulebookIDs(rulebook string) (map[string]int, error) {
	ids := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(rulebook))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(text, "|") {
			continue
		}
		cells := strings.Split(text, "|")
		if len(cells) < 3 {
			continue
		}
		id := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if !idShape.MatchString(id) {
			continue
		}
		if first, ok := ids[id]; ok {
			return nil, fmt.Errorf("line %d: rule ID %s has a row already, on line %d", line, id, first)
		}
		ids[id] = line
	}
	return ids, sc.Err()
}

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

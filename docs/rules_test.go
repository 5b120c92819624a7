package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/rates"
)

// moduleRoot returns the directory of go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// loadRulebook returns the rule IDs of docs/RULES.md.
func loadRulebook(t *testing.T, root string) map[string]int {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(root, "docs", "RULES.md"))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := rulebookIDs(string(text))
	if err != nil {
		t.Fatalf("docs/RULES.md: %v", err)
	}
	// Sections 1 to 5 and 9 hold over 70 rules; far fewer means the
	// tables are no longer read and the tests would prove nothing.
	if len(ids) < 70 {
		t.Fatalf("docs/RULES.md: read only %d rule IDs from its tables; is the table format changed?", len(ids))
	}
	return ids
}

// missingRules returns one message per rule ID of uses that documented
// lacks, naming the ID and every place that cites it, sorted by ID.
func missingRules(documented map[string]int, uses map[string][]ruleUse) []string {
	var out []string
	for id, at := range uses {
		if _, ok := documented[id]; ok {
			continue
		}
		places := make([]string, len(at))
		for i, u := range at {
			places[i] = u.String()
		}
		out = append(out, "rule ID "+id+" is cited by the code but has no row in docs/RULES.md; cited at "+
			strings.Join(places, "; ")+". Add a row for it to docs/RULES.md (section 9 for a rule of the ledger itself).")
	}
	sort.Strings(out)
	return out
}

// TestRulebookHasEveryRuleTheCodeCites is the rulebook's completeness
// check: every rule ID in the non-test Go code has a row in docs/RULES.md.
func TestRulebookHasEveryRuleTheCodeCites(t *testing.T) {
	root := moduleRoot(t)
	documented := loadRulebook(t, root)
	fset, files, err := parseModule(root)
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]bool{}
	for id := range documented {
		if p := prefixOf(id); p != "" {
			prefixes[p] = true
		}
	}
	uses := citedRuleIDs(fset, files, prefixes)
	// The domain cites some 70 rules; far fewer means the scan is broken.
	if len(uses) < 50 {
		t.Fatalf("found only %d rule IDs cited in %d Go files; the scan no longer sees the citations", len(uses), len(files))
	}
	for _, msg := range missingRules(documented, uses) {
		t.Error(msg)
	}
	t.Logf("%d rule IDs cited in %d Go files, %d documented", len(uses), len(files), len(documented))
}

// TestRulebookHasEveryListedRule checks the rule lists the domain packages
// publish against docs/RULES.md.
func TestRulebookHasEveryListedRule(t *testing.T) {
	documented := loadRulebook(t, moduleRoot(t))
	lists := map[string][]string{
		"aggregates.RuleIDs": aggregates.RuleIDs(),
		"catalog.RuleIDs":    catalog.RuleIDs(),
		"rates.RuleIDs":      rates.RuleIDs(),
	}
	for _, r := range aggregates.LifecycleRules() {
		lists["aggregates.LifecycleRules"] = append(lists["aggregates.LifecycleRules"], r.ID)
	}
	for _, a := range catalog.Activities() {
		lists["catalog.Activities"] = append(lists["catalog.Activities"], a.Rule)
	}
	for list, ids := range lists {
		for _, id := range ids {
			if _, ok := documented[id]; !ok {
				t.Errorf("rule ID %s is listed by %s but has no row in docs/RULES.md", id, list)
			}
		}
	}
}

// parseSnippet parses one Go file given as text.
func parseSnippet(t *testing.T, src string) (*token.FileSet, []*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "snippet.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	return fset, []*ast.File{f}
}

// TestScanFindsRuleIDs proves each way the scan recognises a rule ID, and
// that it leaves other upper-case codes alone.
func TestScanFindsRuleIDs(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want string // "" for none
	}{
		{"argument of apperr.Rule", `func f() { _ = apperr.Rule("LEDGER-DAMAGED", "x") }`, "LEDGER-DAMAGED"},
		{"argument of apperr.RuleField", `func f() { _ = apperr.RuleField("INPUT-AMOUNT", "amount_cents", "x") }`, "INPUT-AMOUNT"},
		{"argument of a wrapper with a rule parameter", `func lifecycle(rule, format string) error { return nil }
func f() { _ = lifecycle("STEP-ORDER", "x") }`, "STEP-ORDER"},
		{"second argument named rule", `type B struct{}
func (b *B) add(category, rule string, cents int64) {}
func f(b *B) { b.add("travel", "TRAVEL-NEW", 1) }`, "TRAVEL-NEW"},
		{"Rule field of a literal", `var e = &apperr.Error{Code: apperr.Forbidden, Rule: "ROLE-ONLY"}`, "ROLE-ONLY"},
		{"rule variable", `func f() string { rule := "FALLBACK-RULE"; return rule }`, "FALLBACK-RULE"},
		{"comparison with a Rule field", `func f(a A) bool { return a.Rule == "GROUP-SIZE" }`, "GROUP-SIZE"},
		{"function listing rule IDs", `func RuleIDs() []string { return []string{"LIST-ONE"} }`, "LIST-ONE"},
		{"RuleDoc literal", `var d = []RuleDoc{{"DOC-ONE", "text"}}`, "DOC-ONE"},
		{"literal with a known rule prefix", `var m = map[string]int{"LIFE-NEWER": 1}`, "LIFE-NEWER"},
		{"activity code is no rule", `const CodeJobShadowing = "SM-JOB-SHDW"`, ""},
		{"charset name is no rule", `var charset = "UTF-8"`, ""},
		{"field code after an action is no rule", `var field = "KA122-SCH"`, ""},
		{"project number is no rule", `var id = "2024-1-FI01-KA121-VET-0000010"`, ""},
		{"rule ID inside a message is no citation", `var msg = "see rule LIFE-ORDER"`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset, files := parseSnippet(t, "package p\n"+c.src+"\n")
			uses := citedRuleIDs(fset, files, map[string]bool{"LIFE": true})
			var got []string
			for id := range uses {
				got = append(got, id)
			}
			switch {
			case c.want == "" && len(got) > 0:
				t.Fatalf("found %v, want no rule ID", got)
			case c.want != "" && (len(got) != 1 || got[0] != c.want):
				t.Fatalf("found %v, want [%s]", got, c.want)
			case c.want != "" && !strings.HasPrefix(uses[c.want][0].Pos, "snippet.go:"):
				t.Fatalf("position %q does not name the file and line", uses[c.want][0].Pos)
			}
		})
	}
}

// TestMissingRuleNamesIDAndPlace checks the failure message: a rule the
// rulebook lacks is named with the file and line that cite it, and a
// documented one is not reported.
func TestMissingRuleNamesIDAndPlace(t *testing.T) {
	documented, err := rulebookIDs("| ID | Rule | Source |\n|---|---|---|\n| MOB-ABROAD | crosses a border | ledger |\n")
	if err != nil {
		t.Fatal(err)
	}
	fset, files := parseSnippet(t, `package p
func f() {
	_ = apperr.Rule("MOB-ABROAD", "x")
	_ = apperr.Rule("LEDGER-DAMAGED", "x")
}
`)
	got := missingRules(documented, citedRuleIDs(fset, files, nil))
	want := "rule ID LEDGER-DAMAGED is cited by the code but has no row in docs/RULES.md; cited at snippet.go:4 (first argument of Rule)."
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Fatalf("got %q, want one message starting %q", got, want)
	}
}

// TestRulebookIDsAreUnique refuses a rule ID documented twice.
func TestRulebookIDsAreUnique(t *testing.T) {
	if _, err := rulebookIDs("| UA-SCOPE | a | 004 |\n| UA-SCOPE | b | 004 |\n"); err == nil {
		t.Fatal("a rule ID with two rows was accepted")
	}
}

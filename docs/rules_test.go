package docs

import (
	"bytes"
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
	"github.com/erasmus-ledger/grants/aggregates/rulebook"
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

// catalogueFile is where a rule is added, for the failure messages.
const catalogueFile = "aggregates/rulebook/rules/*.json"

// loadCatalogue returns the rule IDs of the catalogue (aggregates/rulebook).
func loadCatalogue(t *testing.T) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for _, id := range rulebook.IDs() {
		ids[id] = true
	}
	// Sections 1 to 5, 9 and 10 hold some 80 rules; far fewer means the
	// catalogue is no longer read and the tests would prove nothing.
	if len(ids) < 70 {
		t.Fatalf("the rule catalogue holds only %d rule IDs; are its data files read?", len(ids))
	}
	return ids
}

// missingRules returns one message per rule ID of uses that the catalogue
// lacks, naming the ID and every place that cites it, sorted by ID.
func missingRules(catalogued map[string]bool, uses map[string][]ruleUse) []string {
	var out []string
	for id, at := range uses {
		if catalogued[id] {
			continue
		}
		places := make([]string, len(at))
		for i, u := range at {
			places[i] = u.String()
		}
		out = append(out, "rule ID "+id+" is cited by the code but is not in the rule catalogue; cited at "+
			strings.Join(places, "; ")+". Add it to "+catalogueFile+" (section 9 for a rule of the ledger itself) and run go generate ./docs.")
	}
	sort.Strings(out)
	return out
}

// TestCatalogueHasEveryRuleTheCodeCites is the catalogue's completeness
// check: every rule ID in the non-test Go code is in the catalogue.
func TestCatalogueHasEveryRuleTheCodeCites(t *testing.T) {
	root := moduleRoot(t)
	catalogued := loadCatalogue(t)
	fset, files, err := parseModule(root)
	if err != nil {
		t.Fatal(err)
	}
	prefixes := map[string]bool{}
	for id := range catalogued {
		if p := prefixOf(id); p != "" {
			prefixes[p] = true
		}
	}
	uses := citedRuleIDs(fset, files, prefixes)
	// The domain cites some 70 rules; far fewer means the scan is broken.
	if len(uses) < 50 {
		t.Fatalf("found only %d rule IDs cited in %d Go files; the scan no longer sees the citations", len(uses), len(files))
	}
	for _, msg := range missingRules(catalogued, uses) {
		t.Error(msg)
	}
	t.Logf("%d rule IDs cited in %d Go files, %d in the catalogue", len(uses), len(files), len(catalogued))
}

// TestCatalogueHasEveryListedRule checks the rule lists the domain
// packages publish against the catalogue.
func TestCatalogueHasEveryListedRule(t *testing.T) {
	catalogued := loadCatalogue(t)
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
			if !catalogued[id] {
				t.Errorf("rule ID %s is listed by %s but is not in the rule catalogue (%s)", id, list, catalogueFile)
			}
		}
	}
}

// TestRulesMarkdownIsTheCatalogue fails when docs/rules.md differs from
// the catalogue's rendering: the rulebook is generated, never edited.
func TestRulesMarkdownIsTheCatalogue(t *testing.T) {
	want, err := rulebook.Markdown()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(moduleRoot(t), "docs", "rules.md"))
	if err != nil {
		t.Fatalf("%v; run go generate ./docs", err)
	}
	if line, ok := firstDifference(got, want); ok {
		t.Fatalf("docs/rules.md differs from the rule catalogue from line %d on; edit the catalogue in aggregates/rulebook (rules/*.json, sections.json, rulebook.md.tmpl), never docs/rules.md, and run go generate ./docs", line)
	}
}

// firstDifference returns the first line (from 1) where a and b differ,
// or false when they are equal.
func firstDifference(a, b []byte) (int, bool) {
	if bytes.Equal(a, b) {
		return 0, false
	}
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range la {
		if i >= len(lb) || la[i] != lb[i] {
			return i + 1, true
		}
	}
	return len(la) + 1, true
}

// TestNoRulebookBesideTheCatalogue refuses a second rulebook: a
// docs/RULES.md would also collide with docs/rules.md on case-insensitive
// file systems (macOS, Windows).
func TestNoRulebookBesideTheCatalogue(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join(moduleRoot(t), "docs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), "rules.md") && e.Name() != "rules.md" {
			t.Errorf("docs/%s: the rulebook is docs/rules.md, generated from the catalogue; remove docs/%s", e.Name(), e.Name())
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
// catalogue lacks is named with the file and line that cite it, and a
// catalogued one is not reported.
func TestMissingRuleNamesIDAndPlace(t *testing.T) {
	fset, files := parseSnippet(t, `package p
func f() {
	_ = apperr.Rule("MOB-ABROAD", "x")
	_ = apperr.Rule("LEDGER-DAMAGED", "x")
}
`)
	got := missingRules(map[string]bool{"MOB-ABROAD": true}, citedRuleIDs(fset, files, nil))
	want := "rule ID LEDGER-DAMAGED is cited by the code but is not in the rule catalogue; cited at snippet.go:4 (first argument of Rule)."
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Fatalf("got %q, want one message starting %q", got, want)
	}
}

// TestFirstDifferenceNamesTheLine checks the golden comparison's message.
func TestFirstDifferenceNamesTheLine(t *testing.T) {
	if _, differ := firstDifference([]byte("a\nb\n"), []byte("a\nb\n")); differ {
		t.Fatal("equal texts reported as different")
	}
	if line, differ := firstDifference([]byte("a\nb\nc\n"), []byte("a\nB\nc\n")); !differ || line != 2 {
		t.Fatalf("got line %d, %v; want line 2", line, differ)
	}
	if line, differ := firstDifference([]byte("a\n"), []byte("a\nb\n")); !differ || line != 2 {
		t.Fatalf("a shorter file: got line %d, %v; want line 2", line, differ)
	}
}

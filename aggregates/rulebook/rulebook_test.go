package rulebook

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
)

// TestCatalogueIsComplete checks the embedded catalogue: it loads, holds
// the rules of every section, and every rule has a source and a title and
// text in every language.
func TestCatalogueIsComplete(t *testing.T) {
	rules := All()
	// The rulebook has some 80 rules; far fewer means files are not read.
	if len(rules) < 75 {
		t.Fatalf("the catalogue holds only %d rules", len(rules))
	}
	perSection := map[int]int{}
	for _, r := range rules {
		perSection[r.Section]++
		for _, lang := range Languages() {
			if tx, ok := r.In(lang); !ok || tx.Title == "" || tx.Text == "" {
				t.Errorf("rule %s has no wording in %s", r.ID, lang)
			}
		}
		if got, ok := Lookup(r.ID); !ok || got.ID != r.ID {
			t.Errorf("Lookup(%s) = %v, %v", r.ID, got.ID, ok)
		}
	}
	for _, s := range Sections() {
		if perSection[s.Number] == 0 {
			t.Errorf("section %d holds no rule", s.Number)
		}
		for _, lang := range Languages() {
			if s.Title(lang) == "" {
				t.Errorf("section %d has no title in %s", s.Number, lang)
			}
		}
	}
	if _, ok := Lookup("NO-SUCH-RULE"); ok {
		t.Error("Lookup found a rule the catalogue lacks")
	}
	if r, _ := Lookup("KA122-MAX-MOB"); r.Section != 2 || r.Source != "000, PG" {
		t.Errorf("KA122-MAX-MOB = section %d, source %q", r.Section, r.Source)
	}
}

// TestRulesAreInRulebookOrder checks that All lists the rules by section,
// as the rulebook does, whatever the order of the data files.
func TestRulesAreInRulebookOrder(t *testing.T) {
	rules := All()
	for i := 1; i < len(rules); i++ {
		if rules[i].Section < rules[i-1].Section {
			t.Fatalf("rule %s (section %d) comes after %s (section %d)", rules[i].ID, rules[i].Section, rules[i-1].ID, rules[i-1].Section)
		}
	}
	if ids := IDs(); len(ids) != len(rules) || ids[0] != "PRG-PERIOD" {
		t.Fatalf("IDs() starts %v, want PRG-PERIOD first of %d", ids[:1], len(rules))
	}
}

const goodSections = `[{"number": 1, "en": "One", "fi": "Yksi", "sv": "Ett"}]`

func ruleFile(rules ...string) string { return "[" + strings.Join(rules, ",") + "]" }

func rule(id string, section int, source, svText string) string {
	return `{"id": "` + id + `", "section": ` + string(rune('0'+section)) + `, "source": "` + source + `",
		"en": {"title": "T", "text": "X"}, "fi": {"title": "T", "text": "X"}, "sv": {"title": "T", "text": "` + svText + `"}}`
}

// TestLoadRefusesBrokenData proves each check of load: a catalogue that
// breaks one is refused with a message naming the rule.
func TestLoadRefusesBrokenData(t *testing.T) {
	cases := []struct {
		name  string
		rules string
		want  string // "" for accepted
	}{
		{"a good rule is accepted", ruleFile(rule("GOOD-ONE", 1, "PG", "X")), ""},
		{"an ID twice is refused", ruleFile(rule("TWICE-ONE", 1, "PG", "X"), rule("TWICE-ONE", 1, "PG", "X")), "TWICE-ONE appears twice"},
		{"a lower-case ID is refused", ruleFile(rule("bad-one", 1, "PG", "X")), "not shaped like a rule ID"},
		{"an unknown section is refused", ruleFile(rule("LOST-ONE", 7, "PG", "X")), "LOST-ONE is in section 7"},
		{"a missing source is refused", ruleFile(rule("NOSRC-ONE", 1, " ", "X")), "NOSRC-ONE has no source"},
		{"a missing translation is refused", ruleFile(rule("NOSV-ONE", 1, "PG", "")), "NOSV-ONE lacks a title or text in sv"},
		{"an unknown field is refused", `[{"id": "X-Y", "lang": "en"}]`, "unknown field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(fstest.MapFS{
				"sections.json": {Data: []byte(goodSections)},
				"rules/1.json":  {Data: []byte(c.rules)},
			})
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestMarkdownHoldsEveryRuleInEveryLanguage checks the rendering: each
// rule's row appears in English, Finnish and Swedish, and the template's
// prose (section 8's deadlines) is kept.
func TestMarkdownHoldsEveryRuleInEveryLanguage(t *testing.T) {
	md, err := Markdown()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range All() {
		for _, lang := range Languages() {
			tx, _ := r.In(lang)
			row := "| " + r.ID + " | **" + cell(tx.Title) + ".** " + cell(tx.Text) + " | " + r.Source + " |"
			if !bytes.Contains(md, []byte(row)) {
				t.Errorf("docs/rules.md lacks the %s row of %s", lang, r.ID)
			}
		}
	}
	for _, want := range []string{"## 8. Call deadlines", "## Säännöt suomeksi", "## Reglerna på svenska", "## Changes"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("docs/rules.md lacks %q", want)
		}
	}
	if bytes.Contains(md, []byte("{{")) {
		t.Error("docs/rules.md holds an unrendered template action")
	}
}

package rulebook

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
)

// Lang is a language the catalogue is written in: an ISO 639-1 code.
type Lang string

// The languages of the catalogue.
const (
	// English is the language of the code, the API and its errors.
	English Lang = "en"
	// Finnish is the language of the national office and the seed documents.
	Finnish Lang = "fi"
	// Swedish is Finland's second national language.
	Swedish Lang = "sv"
)

// Languages returns the languages every rule is written in, English first.
func Languages() []Lang { return []Lang{English, Finnish, Swedish} }

// Text is a rule's or a section's wording in one language.
type Text struct {
	// Title names the rule in a few words.
	Title string `json:"title"`
	// Text states the rule in full.
	Text string `json:"text"`
}

// Rule is one entry of the catalogue.
type Rule struct {
	// ID is the rule ID the code, the tests and the error answers cite.
	ID string
	// Section is the number of the rulebook section the rule is in.
	Section int
	// Source says what the rule rests on: seed documents 000 to 004,
	// EDUFI, PG, design, ledger, or the section the rule makes precise.
	Source string
	texts  map[Lang]Text
}

// In returns the rule's wording in lang, or false when lang is not a
// language of the catalogue.
func (r Rule) In(lang Lang) (Text, bool) {
	t, ok := r.texts[lang]
	return t, ok
}

// Section is a section of the rulebook that holds rules.
type Section struct {
	// Number is the section's number in the rulebook.
	Number int
	titles map[Lang]string
}

// Title returns the section's title in lang ("" for another language).
func (s Section) Title(lang Lang) string { return s.titles[lang] }

// idShape is the shape of a rule ID: upper-case words of letters and
// digits joined by hyphens, the first starting with a letter.
var idShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$`)

//go:embed rules/*.json sections.json rulebook.md.tmpl
var data embed.FS

// catalogue is the loaded catalogue.
type catalogue struct {
	rules    []Rule
	byID     map[string]int
	sections []Section
}

// book is the catalogue, loaded from the embedded data once; the data is
// checked by the tests, so a broken file fails the build's tests, not a
// running server.
var book = mustLoad(data)

func mustLoad(fsys fs.FS) *catalogue {
	c, err := load(fsys)
	if err != nil {
		panic("rulebook: " + err.Error())
	}
	return c
}

// ruleJSON is a rule as the data files hold it.
type ruleJSON struct {
	ID      string `json:"id"`
	Section int    `json:"section"`
	Source  string `json:"source"`
	EN      *Text  `json:"en"`
	FI      *Text  `json:"fi"`
	SV      *Text  `json:"sv"`
}

// sectionJSON is a section as sections.json holds it.
type sectionJSON struct {
	Number int    `json:"number"`
	EN     string `json:"en"`
	FI     string `json:"fi"`
	SV     string `json:"sv"`
}

// load reads and checks the catalogue: every ID has the shape of a rule
// ID and appears once, every rule is in a known section and has a source,
// a title and a text in each language.
func load(fsys fs.FS) (*catalogue, error) {
	c := &catalogue{byID: map[string]int{}}
	var sections []sectionJSON
	if err := decodeStrict(fsys, "sections.json", &sections); err != nil {
		return nil, err
	}
	for _, s := range sections {
		if s.EN == "" || s.FI == "" || s.SV == "" {
			return nil, fmt.Errorf("sections.json: section %d lacks a title in a language", s.Number)
		}
		c.sections = append(c.sections, Section{Number: s.Number, titles: map[Lang]string{English: s.EN, Finnish: s.FI, Swedish: s.SV}})
	}
	known := map[int]bool{}
	for _, s := range c.sections {
		if known[s.Number] {
			return nil, fmt.Errorf("sections.json: section %d appears twice", s.Number)
		}
		known[s.Number] = true
	}
	files, err := fs.Glob(fsys, "rules/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		var rs []ruleJSON
		if err := decodeStrict(fsys, name, &rs); err != nil {
			return nil, err
		}
		for _, r := range rs {
			if err := c.add(name, r, known); err != nil {
				return nil, err
			}
		}
	}
	sort.SliceStable(c.rules, func(i, j int) bool { return c.rules[i].Section < c.rules[j].Section })
	for i, r := range c.rules {
		c.byID[r.ID] = i
	}
	return c, nil
}

// add checks one rule of file name and adds it.
func (c *catalogue) add(name string, r ruleJSON, sections map[int]bool) error {
	switch {
	case !idShape.MatchString(r.ID):
		return fmt.Errorf("%s: %q is not shaped like a rule ID (upper-case words joined by hyphens)", name, r.ID)
	case !sections[r.Section]:
		return fmt.Errorf("%s: rule %s is in section %d, which sections.json lacks", name, r.ID, r.Section)
	case strings.TrimSpace(r.Source) == "":
		return fmt.Errorf("%s: rule %s has no source", name, r.ID)
	}
	if _, dup := c.byID[r.ID]; dup {
		return fmt.Errorf("%s: rule %s appears twice", name, r.ID)
	}
	texts := map[Lang]Text{}
	for lang, t := range map[Lang]*Text{English: r.EN, Finnish: r.FI, Swedish: r.SV} {
		if t == nil || strings.TrimSpace(t.Title) == "" || strings.TrimSpace(t.Text) == "" {
			return fmt.Errorf("%s: rule %s lacks a title or text in %s", name, r.ID, lang)
		}
		texts[lang] = *t
	}
	c.byID[r.ID] = len(c.rules)
	c.rules = append(c.rules, Rule{ID: r.ID, Section: r.Section, Source: r.Source, texts: texts})
	return nil
}

// decodeStrict decodes the JSON file name into v, refusing unknown fields.
func decodeStrict(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// All returns every rule of the catalogue, by section, in the order of
// the rulebook.
func All() []Rule { return append([]Rule(nil), book.rules...) }

// IDs returns the ID of every rule of the catalogue, in the order of All.
func IDs() []string {
	ids := make([]string, len(book.rules))
	for i, r := range book.rules {
		ids[i] = r.ID
	}
	return ids
}

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) {
	i, ok := book.byID[id]
	if !ok {
		return Rule{}, false
	}
	return book.rules[i], true
}

// Sections returns the sections that hold rules, in order.
func Sections() []Section { return append([]Section(nil), book.sections...) }

// SectionOf returns the section a rule is in.
func SectionOf(r Rule) Section {
	for _, s := range book.sections {
		if s.Number == r.Section {
			return s
		}
	}
	return Section{Number: r.Section}
}

// ParseLang returns the catalogue language named by s (fi, sv or en,
// case-insensitive), or false.
func ParseLang(s string) (Lang, bool) {
	l := Lang(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Languages() {
		if l == known {
			return l, true
		}
	}
	return "", false
}

package rulebook

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// tableHeads are the column heads of a rule table, by language.
var tableHeads = map[Lang][3]string{
	English: {"ID", "Rule", "Source"},
	Finnish: {"Tunnus", "Sääntö", "Lähde"},
	Swedish: {"ID", "Regel", "Källa"},
}

// translationHeads introduce the rules in one language other than English.
var translationHeads = map[Lang]string{
	Finnish: "## Säännöt suomeksi\n\nSääntöjen suomenkielinen teksti. Lähde-sarakkeen lyhenteet selitetään kohdassa \"Where the rules come from\" edellä (`ledger`: järjestelmän oma sääntö).\n",
	Swedish: "## Reglerna på svenska\n\nReglernas text på svenska. Förkortningarna i kolumnen Källa förklaras i avsnittet \"Where the rules come from\" ovan (`ledger`: systemets egen regel).\n",
}

// Markdown renders the rulebook, docs/rules.md: the prose of
// rulebook.md.tmpl with every section's rules in English, then every rule
// in Finnish and in Swedish.
func Markdown() ([]byte, error) {
	src, err := data.ReadFile("rulebook.md.tmpl")
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("rulebook").Option("missingkey=error").Funcs(template.FuncMap{
		"heading": func(n int) (string, error) {
			s, ok := sectionByNumber(n)
			if !ok {
				return "", fmt.Errorf("the template names section %d, which holds no rules", n)
			}
			return fmt.Sprintf("## %d. %s", n, s.Title(English)), nil
		},
		"table": func(n int) (string, error) {
			if _, ok := sectionByNumber(n); !ok {
				return "", fmt.Errorf("the template names section %d, which holds no rules", n)
			}
			return table(n, English), nil
		},
		"translations": translations,
	}).Parse(string(src))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, nil); err != nil {
		return nil, err
	}
	out := bytes.TrimRight(b.Bytes(), "\n")
	return append(out, '\n'), nil
}

// sectionByNumber returns the section numbered n.
func sectionByNumber(n int) (Section, bool) {
	for _, s := range book.sections {
		if s.Number == n {
			return s, true
		}
	}
	return Section{}, false
}

// table renders the rules of section n in lang as a Markdown table, one
// row per rule: ID, title and text, source.
func table(n int, lang Lang) string {
	h := tableHeads[lang]
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | %s | %s |\n|---|---|---|\n", h[0], h[1], h[2])
	for _, r := range book.rules {
		if r.Section != n {
			continue
		}
		t := r.texts[lang]
		fmt.Fprintf(&b, "| %s | **%s.** %s | %s |\n", r.ID, cell(t.Title), cell(t.Text), cell(r.Source))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// translations renders every section's rules in Finnish, then in Swedish.
func translations() string {
	var b strings.Builder
	for i, lang := range []Lang{Finnish, Swedish} {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(translationHeads[lang])
		for _, s := range book.sections {
			fmt.Fprintf(&b, "\n### %d. %s\n\n%s\n", s.Number, s.Title(lang), table(s.Number, lang))
		}
	}
	return b.String()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

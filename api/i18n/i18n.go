// Package i18n holds the web pages' words in Finnish, Swedish and English
// (one embedded JSON catalogue per language), picks the user's language
// from a switch or Accept-Language, and formats dates, numbers, euro
// amounts and country names in it with golang.org/x/text.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"

	"golang.org/x/text/language"
)

//go:embed messages/*.json
var files embed.FS

// Languages are the languages of the web pages, the default first.
var Languages = []string{"en", "fi", "sv"}

var (
	catalogues = map[string]map[string]string{}
	tags       = []language.Tag{language.English, language.Finnish, language.Swedish}
	matcher    = language.NewMatcher(tags)
)

func init() {
	for _, l := range Languages {
		b, err := files.ReadFile("messages/" + l + ".json")
		if err != nil {
			panic(fmt.Sprintf("i18n: %v", err))
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: messages/%s.json: %v", l, err))
		}
		catalogues[l] = m
	}
}

// Supported tells a language the pages speak.
func Supported(lang string) bool {
	_, ok := catalogues[lang]
	return ok
}

// Match picks the best supported language for an Accept-Language header
// (q-values honoured); English when none fits.
func Match(acceptLanguage string) string {
	prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(prefs) == 0 {
		return Languages[0]
	}
	_, i, conf := matcher.Match(prefs...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[i]
}

// Catalogue returns the words of lang (English for an unknown language).
// The map must not be changed.
func Catalogue(lang string) map[string]string {
	if m, ok := catalogues[lang]; ok {
		return m
	}
	return catalogues[Languages[0]]
}

// T returns the word key in lang, or the key itself when it is missing.
func T(lang, key string) string {
	if w, ok := Catalogue(lang)[key]; ok {
		return w
	}
	return key
}

// Keys returns the keys of lang's catalogue, sorted.
func Keys(lang string) []string {
	m := Catalogue(lang)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Tag returns the language tag of lang.
func Tag(lang string) language.Tag {
	for i, l := range Languages {
		if l == lang {
			return tags[i]
		}
	}
	return tags[0]
}

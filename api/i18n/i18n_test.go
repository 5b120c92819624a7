package i18n

import (
	"strings"
	"testing"
)

// Every word exists in every language, and none is empty.
func TestCataloguesHoldTheSameKeys(t *testing.T) {
	en := Keys("en")
	for _, l := range Languages {
		got := Keys(l)
		if strings.Join(got, ",") != strings.Join(en, ",") {
			t.Errorf("%s has other keys than en", l)
		}
		for _, k := range got {
			if strings.TrimSpace(T(l, k)) == "" {
				t.Errorf("%s: %s is empty", l, k)
			}
		}
	}
}

func TestMatchHonoursQValues(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"fi-FI,fi;q=0.9,en;q=0.5", "fi"},
		{"en;q=0.4,sv;q=0.8", "sv"},
		{"sv-FI", "sv"},
		{"de-DE,fi;q=0.3", "fi"},
		{"de-DE", "en"},
		{"", "en"},
		{"fi;q=0.1,en;q=0.9", "en"},
	} {
		if got := Match(c.header); got != c.want {
			t.Errorf("Match(%q) = %s, want %s", c.header, got, c.want)
		}
	}
}

func TestFormatsInTheUsersLocale(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Euros("fi", 4500000), "45\u00a0000,00\u00a0€"},
		{Euros("sv", 4500007), "45\u00a0000,07\u00a0€"},
		{Euros("en", 4500000), "€45,000.00"},
		{Euros("fi", -150), "-1,50\u00a0€"},
		{Number("fi", 1234567), "1\u00a0234\u00a0567"},
		{Date("fi", "2026-01-02"), "2.1.2026"},
		{Date("sv", "2026-01-02"), "2026-01-02"},
		{Date("en", "2026-01-02"), "2 Jan 2026"},
		{Country("fi", "SE"), "Ruotsi"},
		{Country("sv", "FI"), "Finland"},
		{Country("en", "UA"), "Ukraine"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

package i18n

import (
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Number formats an integer with the grouping of lang (45 000 in Finnish
// and Swedish, 45,000 in English).
func Number(lang string, n int64) string {
	return message.NewPrinter(Tag(lang)).Sprint(number.Decimal(n))
}

// Euros formats an amount in cents as euros in lang: "45 000,00 €" in
// Finnish and Swedish, "€45,000.00" in English.
func Euros(lang string, cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	p := message.NewPrinter(Tag(lang))
	whole := p.Sprint(number.Decimal(cents / 100))
	frac := cents % 100
	sep := "."
	if lang != "en" {
		sep = ","
	}
	f := string(rune('0'+frac/10)) + string(rune('0'+frac%10))
	if lang == "en" {
		return sign + "€" + whole + sep + f
	}
	return sign + whole + sep + f + "\u00a0€"
}

// Percent formats part of whole as a percentage with one decimal.
func Percent(lang string, part, whole int64) string {
	if whole == 0 {
		return "–"
	}
	p := message.NewPrinter(Tag(lang))
	return p.Sprint(number.Decimal(float64(part)*100/float64(whole), number.MaxFractionDigits(1), number.MinFractionDigits(1))) + "\u00a0%"
}

// Date formats a date (YYYY-MM-DD, or an RFC 3339 time, whose date is
// taken) in lang: 2.1.2026 in Finnish, 2026-01-02 in Swedish, 2 Jan 2026
// in English. Anything else is returned as it is.
func Date(lang, s string) string {
	if s == "" {
		return ""
	}
	var t time.Time
	var err error
	if len(s) == 10 {
		t, err = time.Parse(time.DateOnly, s)
	} else {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil {
		return s
	}
	return DateOf(lang, t)
}

// DateOf formats the date of t in lang.
func DateOf(lang string, t time.Time) string {
	switch lang {
	case "fi":
		return t.Format("2.1.2006")
	case "sv":
		return t.Format(time.DateOnly)
	}
	return t.Format("2 Jan 2006")
}

// DateTime formats a time to the minute in lang (UTC).
func DateTime(lang string, t time.Time) string {
	t = t.UTC()
	if lang == "fi" {
		return t.Format("2.1.2006 klo 15.04") + " UTC"
	}
	return DateOf(lang, t) + " " + t.Format("15:04") + " UTC"
}

// Country names an ISO 3166 country code in lang ("Suomi (FI)"); an
// unknown code is returned as it is.
func Country(lang, code string) string {
	r, err := language.ParseRegion(strings.ToUpper(code))
	if err != nil || code == "" {
		return code
	}
	name := display.Regions(Tag(lang)).Name(r)
	if name == "" {
		return code
	}
	return name
}

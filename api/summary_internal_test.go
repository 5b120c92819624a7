package api

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/i18n"
)

// Every event type has a summary pattern in every language, and each
// pattern names only fields its event's payload has (so no summary shows a
// dash where a value should be).
func TestEverySummaryPatternNamesRealFields(t *testing.T) {
	reg := aggregates.Registry()
	placeholder := regexp.MustCompile(`\{([a-z_.]+)\}`)
	for _, name := range reg.Names() {
		info, _ := reg.Lookup(name)
		fields := map[string]bool{}
		jsonPaths(reflect.TypeOf(info.New()).Elem(), "", fields)
		for _, lang := range i18n.Languages {
			for key, pattern := range i18n.Catalogue(lang) {
				if key != "sum-"+name && !strings.HasPrefix(key, "sum-"+name+"-") {
					continue
				}
				for _, m := range placeholder.FindAllStringSubmatch(pattern, -1) {
					if !fields[m[1]] {
						t.Errorf("%s %s: {%s} is no field of %s", lang, key, m[1], name)
					}
				}
			}
			if _, ok := i18n.Catalogue(lang)["sum-"+name]; !ok {
				t.Errorf("%s: no summary pattern sum-%s", lang, name)
			}
		}
	}
}

func jsonPaths(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			jsonPaths(f.Type, prefix, out)
			continue
		}
		if name == "" || name == "-" {
			continue
		}
		out[prefix+name] = true
		jsonPaths(f.Type, prefix+name+".", out)
	}
}

// A summary is written in the page's language with its locale's formats.
func TestSummaryInTheUsersLanguage(t *testing.T) {
	payload := []byte(`{"project_id":"P1","payment_id":"PF1","kind":"pre-financing","amount_cents":4500000,"paid_on":"2026-01-02","net_paid_cents":4500000}`)
	for _, c := range []struct{ lang, want string }{
		{"fi", "Maksu PF1 (ennakkomaksu) 45\u00a0000,00\u00a0€ 2.1.2026; maksettu nyt yhteensä 45\u00a0000,00\u00a0€"},
		{"en", "Payment PF1 (pre-financing) of €45,000.00 on 2 Jan 2026; net paid now €45,000.00"},
	} {
		if got := summaryOf(c.lang, "PaymentRecorded", payload); got != c.want {
			t.Errorf("%s: got %q, want %q", c.lang, got, c.want)
		}
	}
	if got := summaryOf("sv", "PaymentRecorded", []byte(`{"kind":"recovery","payment_id":"R1","amount_cents":100,"paid_on":"2026-01-02","net_paid_cents":0}`)); !strings.HasPrefix(got, "Återkrav R1 på 1,00") {
		t.Errorf("sv recovery: %q", got)
	}
}

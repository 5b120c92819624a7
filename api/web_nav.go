package api

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/rulebook"
	"github.com/erasmus-ledger/grants/api/auth"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/labstack/echo/v4"
)

// homePath is every role's landing page.
const homePath = "/ui/home"

// navItem is one entry of the menu.
type navItem struct {
	Href, Label string
	// Current marks the page the user is on (aria-current).
	Current bool
}

// langLink is one entry of the language switch.
type langLink struct {
	Lang, Label, Href string
	Current           bool
}

// navFor is the menu of p's role: a beneficiary's organisation and
// projects, the office's queues and lists, the analyst's statistics.
func navFor(p auth.Principal, lang, path string) []navItem {
	t := func(k string) string { return i18n.T(lang, k) }
	var items []navItem
	switch p.Role {
	case aggregates.RoleBeneficiary:
		items = []navItem{{Href: homePath, Label: t("nav-home")}}
		if p.Org != "" {
			items = append(items, navItem{Href: "/ui/organisations/" + url.PathEscape(p.Org), Label: t("my-org")})
		}
		items = append(items, navItem{Href: "/ui/projects", Label: t("my-projects")})
	case aggregates.RoleNationalOffice:
		items = []navItem{{Href: homePath, Label: t("nav-queues")}, {Href: "/ui/projects", Label: t("nav-projects")},
			{Href: "/ui/organisations", Label: t("nav-organisations")}, {Href: "/ui/statistics", Label: t("nav-stats")}}
	case aggregates.RoleAnalyst:
		items = []navItem{{Href: "/ui/statistics", Label: t("nav-stats")}, {Href: "/ui/projects", Label: t("nav-projects")}}
	}
	for i := range items {
		items[i].Current = items[i].Href == path
	}
	return items
}

// langLinks is the language switch: the same page in each language.
func langLinks(c echo.Context, cur string) []langLink {
	q := c.Request().URL.Query()
	out := make([]langLink, 0, len(i18n.Languages))
	for _, l := range []string{"fi", "sv", "en"} {
		q.Set("lang", l)
		out = append(out, langLink{Lang: l, Label: i18n.T(l, "lang-"+l), Href: c.Request().URL.Path + "?" + q.Encode(), Current: l == cur})
	}
	return out
}

// langParam documents the pages' language parameter.
func langParam() []Param {
	return []Param{{Name: "lang", Description: "fi, sv or en (default: the language chosen before, else Accept-Language); the choice is kept in a cookie", Enum: i18n.Languages}}
}

// webFuncs are the templates' functions; each takes the page's language.
func webFuncs() template.FuncMap {
	return template.FuncMap{
		"euros":    Euros,
		"word":     word,
		"t":        i18n.T,
		"euro":     i18n.Euros,
		"num":      func(lang string, n any) string { return i18n.Number(lang, toInt64(n)) },
		"pct":      func(lang string, part, whole any) string { return i18n.Percent(lang, toInt64(part), toInt64(whole)) },
		"date":     i18n.Date,
		"dateOf":   i18n.DateOf,
		"datetime": i18n.DateTime,
		"country": func(lang, code string) string {
			if code == "" {
				return ""
			}
			return i18n.Country(lang, code) + " (" + code + ")"
		},
		"coded": func(lang, prefix, code string) string {
			if code == "" {
				return ""
			}
			if w := i18n.T(lang, prefix+code); w != prefix+code {
				return w + " (" + code + ")"
			}
			return code
		},
		"named": func(lang, prefix, code string) string {
			if w := i18n.T(lang, prefix+code); w != prefix+code {
				return w
			}
			return code
		},
		"ruleTitle": func(id, lang string) string {
			r, ok := rulebook.Lookup(id)
			if !ok {
				return ""
			}
			l, _ := rulebook.ParseLang(lang)
			t, _ := r.In(l)
			return t.Title
		},
		"ruleText": func(id, lang string) string {
			r, ok := rulebook.Lookup(id)
			if !ok {
				return ""
			}
			l, _ := rulebook.ParseLang(lang)
			t, _ := r.In(l)
			return t.Text
		},
		"lower": strings.ToLower,
		"opt": func(lang, field, value string) string {
			prefix := map[string]string{"action": "action-", "field": "field-"}[field]
			if prefix == "" {
				prefix = "v-"
			}
			if w := i18n.T(lang, prefix+value); w != prefix+value {
				return w
			}
			return value
		},
		"dict":         func(p pageData, v any) map[string]any { return map[string]any{"P": p, "V": v} },
		"add":          func(a, b int) int { return a + b },
		"summaryFor":   summaryFor,
		"rowLegend":    rowLegend,
		"ruleNames":    ruleNames,
		"categoryName": categoryName,
	}
}

// toInt64 reads an integer of any width for the templates.
func toInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case int32:
		return int64(n)
	case uint64:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

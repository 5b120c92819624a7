package api

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/rulebook"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// RulesPath is the path of the rule catalogue; a rule's entry is
// RulesPath + "/" + its ID, which is also the "type" of a problem that
// breaks the rule.
const RulesPath = "/v1/rules"

// RuleView is one rule of the catalogue in one language.
type RuleView struct {
	// ID is the rule ID the error answers cite in "rule".
	ID string `json:"id"`
	// Lang is the language of title, text and section_title: fi, sv or en.
	Lang string `json:"lang"`
	// Section is the number of the rulebook section (docs/rules.md).
	Section int `json:"section"`
	// SectionTitle is the section's title.
	SectionTitle string `json:"section_title"`
	// Title names the rule in a few words.
	Title string `json:"title"`
	// Text states the rule.
	Text string `json:"text"`
	// Source says what the rule rests on (seed documents 000 to 004, EDUFI,
	// PG, design, ledger, or the section it makes precise).
	Source string `json:"source"`
	// Href is the rule's own resource, the "type" of a problem that breaks it.
	Href string `json:"href"`
}

// RuleList is the rule catalogue in one language.
type RuleList struct {
	// Lang is the language of the rules: fi, sv or en.
	Lang string `json:"lang"`
	// Rules lists every rule, in the order of the rulebook.
	Rules []RuleView `json:"rules"`
}

// ruleRoutes are the rule catalogue's routes. The rules are public
// information: no token is needed.
func (s *Server) ruleRoutes() []Route {
	lang := []Param{{Name: "lang", Description: "fi, sv or en (default from Accept-Language, else en)"}}
	return []Route{
		{Method: http.MethodGet, Path: RulesPath, OperationID: "listRules", Summary: "The rule catalogue: every rule ID the ledger answers with, its text and source", Tag: tagRef, Response: RuleList{}, Query: lang, Handler: s.listRules},
		{Method: http.MethodGet, Path: RulesPath + "/:rule", OperationID: "getRule", Summary: "One rule of the catalogue (the type of a problem that breaks it)", Tag: tagRef, Conditional: true, Response: RuleView{}, Query: lang, Handler: s.getRule},
	}
}

func (s *Server) listRules(c echo.Context) error {
	lang, err := ruleLang(c)
	if err != nil {
		return err
	}
	list := RuleList{Lang: string(lang), Rules: []RuleView{}}
	for _, r := range rulebook.All() {
		list.Rules = append(list.Rules, ruleView(r, lang))
	}
	return c.JSON(http.StatusOK, list)
}

func (s *Server) getRule(c echo.Context) error {
	lang, err := ruleLang(c)
	if err != nil {
		return err
	}
	id := c.Param("rule")
	r, ok := rulebook.Lookup(id)
	if !ok {
		return apperr.New(apperr.NotFound, "there is no rule %s in the catalogue; %s lists every rule", id, RulesPath)
	}
	return jsonConditional(c, ruleView(r, lang))
}

// ruleView renders r in lang.
func ruleView(r rulebook.Rule, lang rulebook.Lang) RuleView {
	t, _ := r.In(lang)
	return RuleView{
		ID: r.ID, Lang: string(lang), Section: r.Section, SectionTitle: rulebook.SectionOf(r).Title(lang),
		Title: t.Title, Text: t.Text, Source: r.Source, Href: RulesPath + "/" + r.ID,
	}
}

// ruleLang picks the language of the answer: ?lang= when given (another
// value than fi, sv or en is refused), else the first of fi, sv and en that
// Accept-Language prefers, else English. It tells the choice in
// Content-Language.
func ruleLang(c echo.Context) (rulebook.Lang, error) {
	c.Response().Header().Add("Vary", "Accept-Language")
	lang := rulebook.English
	if q := c.QueryParams(); q.Has("lang") {
		l, ok := rulebook.ParseLang(q.Get("lang"))
		if !ok {
			return "", apperr.InvalidField("lang", "the language must be fi, sv or en, not %q", q.Get("lang"))
		}
		lang = l
	} else if l, ok := preferredLang(c.Request().Header.Get("Accept-Language")); ok {
		lang = l
	}
	c.Response().Header().Set("Content-Language", string(lang))
	return lang, nil
}

// preferredLang returns the catalogue language that an Accept-Language
// header prefers most (RFC 9110: the highest q, the earlier on a tie; a
// region such as fi-FI counts for its language; q=0 refuses), or false
// when it names none of them.
func preferredLang(header string) (rulebook.Lang, bool) {
	type choice struct {
		lang rulebook.Lang
		q    float64
		at   int
	}
	var choices []choice
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(part, ";")
		primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
		lang, ok := rulebook.ParseLang(primary)
		if !ok {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q > 0 {
			choices = append(choices, choice{lang, q, i})
		}
	}
	if len(choices) == 0 {
		return "", false
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	return choices[0].lang, true
}

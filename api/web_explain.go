package api

import (
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/rulebook"
	"github.com/erasmus-ledger/grants/api/i18n"
)

// The web pages explain a grant from its structured lines (category, rule
// and amount) through the catalogues and the rule catalogue, never from
// the English text the rates engine writes for the API.

// grantLinesIn explains each line of a grant in lang: "Travel: 275,00 € –
// Travel distance band (BUD-TRAVEL-BAND)".
func grantLinesIn(lang string, g aggregates.GrantBreakdown) []string {
	out := make([]string, 0, len(g.Lines))
	for _, l := range g.Lines {
		out = append(out, categoryName(lang, l.Category)+": "+i18n.Euros(lang, l.AmountCents)+" – "+ruleNames(lang, l.Rule))
	}
	return out
}

// categoryName is a budget category's name in lang (its key in the
// catalogue, with "-" or "_" either way), else the category as it is.
func categoryName(lang, cat string) string {
	for _, k := range []string{cat, strings.ReplaceAll(cat, "-", "_"), strings.ReplaceAll(cat, "_", "-")} {
		if w := i18n.T(lang, k); w != k {
			return w
		}
	}
	return cat
}

// ruleNames writes comma-separated rule IDs with their titles in lang.
func ruleNames(lang, ids string) string {
	var parts []string
	for _, id := range strings.Split(ids, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		title := ""
		if r, ok := rulebook.Lookup(id); ok {
			l, _ := rulebook.ParseLang(lang)
			t, _ := r.In(l)
			title = t.Title
		}
		if title == "" {
			parts = append(parts, id)
			continue
		}
		parts = append(parts, title+" ("+id+")")
	}
	return strings.Join(parts, ", ")
}

// grantOfDryRun is the grant a dry run of a mobility would record.
func grantOfDryRun(res command.DryRunResult) (aggregates.GrantBreakdown, bool) {
	for _, d := range res.Events {
		switch e := d.Payload.(type) {
		case aggregates.MobilityReported:
			return e.Grant, true
		case aggregates.MobilityCorrected:
			return e.Grant, true
		}
	}
	return aggregates.GrantBreakdown{}, false
}

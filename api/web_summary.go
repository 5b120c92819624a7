package api

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/api/i18n"
)

// The audit trail's one-line summaries on the web pages are rendered from
// the event itself (its type and payload fields) through the catalogues'
// "sum-<type>" patterns, so they read the same in fi, sv and en. A pattern
// names payload fields in braces ("{payment_id}", "{grant.total_cents}");
// each is written in the user's locale by what it holds (see fieldText).
// A pattern "sum-<type>-<outcome or kind>" wins over "sum-<type>".

// eventSummaries loads the events of the page's aggregates and renders
// each entry's summary in lang, keyed by event ID. An aggregate whose
// history cannot be read leaves its entries to the plain event name.
func (s *Server) eventSummaries(ctx context.Context, lang string, p HistoryPage) map[string]string {
	out := make(map[string]string, len(p.Items))
	seen := map[string]bool{}
	for _, it := range p.Items {
		key := it.Aggregate.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		envs, err := s.d.Commands.History(ctx, it.Aggregate)
		if err != nil {
			s.log.Warn("history for a summary", "ref", key, "err", err)
			continue
		}
		for i := range envs {
			out[envs[i].ID] = summaryOf(lang, envs[i].Type, envs[i].Payload)
		}
	}
	return out
}

// summaryOf renders one event's summary in lang; "" when the catalogue has
// no pattern or the payload is not a JSON object (a sealed one).
func summaryOf(lang, typ string, payload json.RawMessage) string {
	var fields map[string]any
	d := json.NewDecoder(strings.NewReader(string(payload)))
	d.UseNumber()
	if err := d.Decode(&fields); err != nil {
		return ""
	}
	pattern := ""
	for _, variant := range []string{"outcome", "kind"} {
		if v, ok := fields[variant].(string); ok {
			if w, ok := i18n.Catalogue(lang)["sum-"+typ+"-"+v]; ok {
				pattern = w
				break
			}
		}
	}
	if pattern == "" {
		pattern = i18n.Catalogue(lang)["sum-"+typ]
	}
	if pattern == "" {
		return ""
	}
	return fillPattern(lang, pattern, fields)
}

// fillPattern replaces each {path} of pattern by the field's text.
func fillPattern(lang, pattern string, fields map[string]any) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(pattern, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(pattern[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(pattern[:i])
		path := pattern[i+1 : i+j]
		b.WriteString(fieldText(lang, path, lookupPath(fields, path)))
		pattern = pattern[i+j+1:]
	}
	b.WriteString(pattern)
	return b.String()
}

// lookupPath finds a dotted path ("grant.total_cents") in a decoded object.
func lookupPath(m map[string]any, path string) any {
	var v any = m
	for _, part := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[part]
	}
	return v
}

// fieldText writes a field's value in lang by what its name says it holds:
// euro cents, a day, a country, a code with its name, else as it is.
func fieldText(lang, path string, v any) string {
	name := path[strings.LastIndexByte(path, '.')+1:]
	var s string
	switch x := v.(type) {
	case nil:
		return "–"
	case string:
		s = x
	case json.Number:
		s = x.String()
	case bool:
		if x {
			return "✓"
		}
		return "–"
	default:
		return "–"
	}
	switch {
	case strings.HasSuffix(name, "_cents"):
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return s
		}
		return i18n.Euros(lang, n)
	case strings.HasSuffix(name, "_on") || strings.HasSuffix(name, "_date"):
		return i18n.Date(lang, s)
	case strings.HasSuffix(name, "country"):
		if s == "" {
			return "–"
		}
		return i18n.Country(lang, s) + " (" + s + ")"
	case name == "activity":
		return codeName(lang, "act-", s, true)
	case name == "action":
		return codeName(lang, "action-", s, true)
	case name == "field":
		return codeName(lang, "field-", s, false)
	case name == "outcome" || name == "kind" || name == "flag":
		return codeName(lang, "v-", s, false)
	}
	return s
}

// codeName is a code's name in lang, with the code itself when withCode.
func codeName(lang, prefix, code string, withCode bool) string {
	w := i18n.T(lang, prefix+code)
	if w == prefix+code {
		return code
	}
	if withCode {
		return w + " (" + code + ")"
	}
	return w
}

// summaryFor is the template's lookup of an entry's rendered summary.
func summaryFor(m map[string]string, e HistoryEntry) string {
	if s, ok := m[e.EventID]; ok {
		return s
	}
	return ""
}

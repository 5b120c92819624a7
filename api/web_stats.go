package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// statRoutes are the analysts' statistics page and its CSV download.
func (s *Server) statRoutes() []Route {
	q := append(langParam(), Param{Name: "as_of", Description: "YYYY-MM-DD: count the mobilities begun by that day (default today)"})
	csvQ := append(q, Param{Name: "sep", Description: "semicolon: semicolons and a byte-order mark, as Finnish Excel opens; else commas", Enum: []string{"comma", "semicolon"}})
	return []Route{
		{Method: http.MethodGet, Path: "/ui/statistics", OperationID: "webStatistics", Summary: "Web page: statistics with charts (mobilities per year and action, activity mix, destinations, shares, accreditations) as of a day", Tag: tagWeb, Roles: officeAnalysts, ResponseType: "text/html", Query: q, Handler: s.webStatistics},
		{Method: http.MethodGet, Path: "/ui/statistics.csv", OperationID: "webStatisticsCSV", Summary: "The statistics page's figures as CSV", Tag: tagWeb, Roles: officeAnalysts, ResponseType: "text/csv", Query: csvQ, Handler: s.webStatisticsCSV},
	}
}

// statBar is one bar of a chart.
type statBar struct {
	Label string
	Value int64
}

// statChart is one chart with its figures.
type statChart struct {
	Key  string
	Bars []statBar
	SVG  template.HTML
}

// statsPage is the statistics page.
type statsPage struct {
	AsOf           string
	Total, Persons int64
	Green, Fewer   int64
	Charts         []statChart
	Accreditations []projections.AccreditationStatsRow
	CSV, CSVExcel  string
}

// statsAsOf reads the as-of day (default today).
func (s *Server) statsAsOf(c echo.Context) (aggregates.Date, error) {
	raw := c.QueryParam("as_of")
	if raw == "" {
		return aggregates.OfficeDay(s.d.Clock.Now()), nil
	}
	t, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		return aggregates.Date{}, apperr.InvalidField("as_of", "as_of must be a day YYYY-MM-DD, not %q", raw)
	}
	return aggregates.OfficeDay(t.Add(12 * time.Hour)), nil
}

// computeStats counts the mobilities begun by the as-of day.
func (s *Server) computeStats(c echo.Context, lang string) (statsPage, error) {
	asOf, err := s.statsAsOf(c)
	if err != nil {
		return statsPage{}, err
	}
	ctx := c.Request().Context()
	mobs, err := s.allMobilities(ctx, projections.MobilityFilter{})
	if err != nil {
		return statsPage{}, err
	}
	day := asOf.String()
	out := statsPage{AsOf: day}
	perYear, perAct, perDest := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, m := range mobs {
		if m.Status == "cancelled" || m.StartDate > day {
			continue
		}
		n := int64(1)
		if m.Persons > 1 {
			n = int64(m.Persons)
		}
		out.Total++
		out.Persons += n
		if m.GreenTravel {
			out.Green++
		}
		if m.FewerOpportunities {
			out.Fewer++
		}
		perYear[strconv.Itoa(m.CallYear)+" "+m.Action]++
		perAct[m.Activity]++
		perDest[m.ReceivingCountry]++
	}
	name := func(prefix string) func(string) string {
		return func(code string) string {
			if w := i18n.T(lang, prefix+code); w != prefix+code {
				return w
			}
			return code
		}
	}
	out.Charts = []statChart{
		{Key: "per-year-action", Bars: bars(perYear, func(k string) string { return k }, true, 0)},
		{Key: "activity-mix", Bars: bars(perAct, name("act-"), false, 0)},
		{Key: "destinations", Bars: bars(perDest, func(c string) string { return i18n.Country(lang, c) }, false, 15)},
		{Key: "shares", Bars: []statBar{{Label: i18n.T(lang, "green-share"), Value: out.Green}, {Label: i18n.T(lang, "fewer-share"), Value: out.Fewer}}},
	}
	for i := range out.Charts {
		max := int64(0)
		if out.Charts[i].Key == "shares" {
			max = out.Total
		}
		out.Charts[i].SVG = barChart(lang, i18n.T(lang, out.Charts[i].Key), out.Charts[i].Bars, max)
	}
	acc, err := s.d.Reader.AccreditationStats(ctx, projections.AccreditationStatsFilter{})
	if err != nil {
		return statsPage{}, err
	}
	for _, r := range acc {
		if r.Year <= asOf.Year() {
			out.Accreditations = append(out.Accreditations, r)
		}
	}
	out.CSV = "/ui/statistics.csv?as_of=" + day
	out.CSVExcel = out.CSV + "&sep=semicolon"
	return out, nil
}

// bars turns counts into sorted bars: by key, or by count (largest first),
// at most limit of them when limit > 0.
func bars(m map[string]int64, label func(string) string, byKey bool, limit int) []statBar {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if byKey || m[keys[i]] == m[keys[j]] {
			return keys[i] < keys[j]
		}
		return m[keys[i]] > m[keys[j]]
	})
	if limit > 0 && len(keys) > limit {
		keys = keys[:limit]
	}
	out := make([]statBar, 0, len(keys))
	for _, k := range keys {
		out = append(out, statBar{Label: label(k), Value: m[k]})
	}
	return out
}

// barChart draws a horizontal bar chart as SVG: each label on its own
// line above its bar, so that it reads on a narrow phone. max is the
// full-width value (0: the largest bar).
func barChart(lang, title string, bs []statBar, max int64) template.HTML {
	if len(bs) == 0 {
		return ""
	}
	if max == 0 {
		for _, b := range bs {
			if b.Value > max {
				max = b.Value
			}
		}
	}
	if max == 0 {
		max = 1
	}
	const w, rowH, barH = 320, 40, 14
	var buf bytes.Buffer
	h := len(bs) * rowH
	fmt.Fprintf(&buf, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, w, h, w, h, template.HTMLEscapeString(i18n.T(lang, "chart-of")+title))
	for i, b := range bs {
		y := i * rowH
		bw := int(float64(w-80) * float64(b.Value) / float64(max))
		if b.Value > 0 && bw < 2 {
			bw = 2
		}
		fmt.Fprintf(&buf, `<text x="0" y="%d" font-size="12" fill="#1a1a1a">%s</text>`, y+13, template.HTMLEscapeString(b.Label))
		fmt.Fprintf(&buf, `<rect x="0" y="%d" width="%d" height="%d" fill="#0b3d91"></rect>`, y+18, bw, barH)
		fmt.Fprintf(&buf, `<text x="%d" y="%d" font-size="12" fill="#1a1a1a">%s</text>`, bw+4, y+30, template.HTMLEscapeString(i18n.Number(lang, b.Value)))
	}
	buf.WriteString(`</svg>`)
	return template.HTML(buf.String()) // #nosec: every text above is escaped
}

func (s *Server) webStatistics(c echo.Context) error {
	st, err := s.computeStats(c, language(c))
	if err != nil {
		return err
	}
	return s.render(c, "statistics.html", "statistics", st)
}

// webStatisticsCSV writes the page's figures: one row per chart bar.
func (s *Server) webStatisticsCSV(c echo.Context) error {
	lang := language(c)
	st, err := s.computeStats(c, lang)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if c.QueryParam("sep") == "semicolon" {
		buf.WriteString("\ufeff")
		w.Comma = ';'
	}
	_ = w.Write([]string{"as_of", "chart", "label", "count"})
	for _, ch := range st.Charts {
		for _, b := range ch.Bars {
			_ = w.Write([]string{st.AsOf, ch.Key, safeCell(b.Label), strconv.FormatInt(b.Value, 10)})
		}
	}
	for _, r := range st.Accreditations {
		_ = w.Write([]string{st.AsOf, "accreditations-granted", strconv.Itoa(r.Year) + " " + r.Field, strconv.FormatInt(r.GrantedOrganisations, 10)})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="statistics-`+st.AsOf+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

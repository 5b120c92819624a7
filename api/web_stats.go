package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/i18n"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// statRoutes are the analysts' statistics page and its CSV download.
// Their "as of" is the API's (ASOF-CLOCK): at a day, the read models are
// rebuilt from the ledger as it stood then, on the clock chosen.
func (s *Server) statRoutes() []Route {
	q := append(langParam(), Param{Name: "at", Description: "YYYY-MM-DD: the statistics of the ledger as it stood at the end of that day (default: now)"}, clockParam())
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
	// AsOf is the day shown; At is the day asked for ("" for now) and
	// Clock the clock it is read on.
	AsOf, At, Clock string
	// Empty is set when the ledger held no event at that point
	// (ASOF-EMPTY).
	Empty          bool
	Total, Persons int64
	Green, Fewer   int64
	Charts         []statChart
	Accreditations []projections.AccreditationStatsRow
	CSV, CSVExcel  string
}

// webStatsReader is the statistics' reader: the served read models, or
// with a day those rebuilt as of its end on the chosen clock, the same
// path as the API's ?at=&clock= (statsReader). empty tells the ledger
// held nothing then.
func (s *Server) webStatsReader(c echo.Context) (r projections.Reader, release func(), empty bool, err error) {
	if c.QueryParam("at") == "" {
		if _, valid := events.ParseTimeAxis(c.QueryParam("clock")); !valid {
			return nil, nil, false, invalidRule("ASOF-CLOCK", "clock", "clock %q: use recorded or effective", c.QueryParam("clock"))
		}
		return s.d.Reader, func() {}, false, nil
	}
	if len(c.QueryParam("at")) != len(time.DateOnly) {
		return nil, nil, false, apperr.InvalidField("at", "at must be a day YYYY-MM-DD, not %q", c.QueryParam("at"))
	}
	r, release, err = s.statsReader(c)
	if err != nil {
		return nil, nil, false, err
	}
	return r, release, c.Response().Header().Get("Grants-Events") == "0", nil
}

// computeStats counts the mobilities (cancelled ones left out) of the
// ledger as of the day asked for, or now.
func (s *Server) computeStats(c echo.Context, lang string) (statsPage, error) {
	r, release, empty, err := s.webStatsReader(c)
	if err != nil {
		return statsPage{}, err
	}
	defer release()
	ctx := c.Request().Context()
	var mobs []projections.MobilityView
	f := projections.MobilityFilter{}
	f.Limit = projections.MaxLimit
	for {
		page, err := r.Mobilities(ctx, f)
		if err != nil {
			return statsPage{}, err
		}
		mobs = append(mobs, page.Items...)
		if page.NextCursor == "" || len(page.Items) == 0 {
			break
		}
		f.Cursor = page.NextCursor
	}
	clock, _ := events.ParseTimeAxis(c.QueryParam("clock"))
	out := statsPage{At: c.QueryParam("at"), Clock: string(clock), Empty: empty}
	out.AsOf = out.At
	if out.AsOf == "" {
		out.AsOf = aggregates.OfficeDay(s.d.Clock.Now()).String()
	}
	perYear, perAct, perDest := map[string]int64{}, map[string]int64{}, map[string]int64{}
	for _, m := range mobs {
		if m.Status == "cancelled" {
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
	if out.Accreditations, err = r.AccreditationStats(ctx, projections.AccreditationStatsFilter{}); err != nil {
		return statsPage{}, err
	}
	q := url.Values{}
	if out.At != "" {
		q.Set("at", out.At)
		q.Set("clock", out.Clock)
	}
	out.CSV = "/ui/statistics.csv"
	if len(q) > 0 {
		out.CSV += "?" + q.Encode()
	}
	q.Set("sep", "semicolon")
	out.CSVExcel = "/ui/statistics.csv?" + q.Encode()
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
	_ = w.Write([]string{"as_of", "clock", "chart", "label", "count"})
	for _, ch := range st.Charts {
		for _, b := range ch.Bars {
			_ = w.Write([]string{st.AsOf, st.Clock, ch.Key, safeCell(b.Label), strconv.FormatInt(b.Value, 10)})
		}
	}
	for _, r := range st.Accreditations {
		_ = w.Write([]string{st.AsOf, st.Clock, "accreditations-granted", strconv.Itoa(r.Year) + " " + r.Field, strconv.FormatInt(r.GrantedOrganisations, 10)})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="statistics-`+st.AsOf+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/projections"
)

// webHomeScenario: / leads each role to its home page; the language
// switch sticks; a beneficiary's home shows its organisation and
// projects, the office's its work queues, the analyst's the statistics
// with their charts and the CSV download in the Excel form.
func webHomeScenario(t *testing.T, st *story) {
	s := st.s
	anon := newBrowser(s)
	if a := anon.do(t, "GET", "/", nil, "Accept", "text/html"); a.status != http.StatusSeeOther || a.header.Get("Location") != "/ui/login" {
		t.Fatalf("/ without a session: %d %q", a.status, a.header.Get("Location"))
	}
	page := func(br *browser, path string, hdr ...string) string {
		t.Helper()
		a := br.do(t, "GET", path, nil, append([]string{"Accept", "text/html"}, hdr...)...)
		if a.status != 200 {
			t.Fatalf("%s: %d %s", path, a.status, a.body)
		}
		return string(a.body)
	}
	must := func(what, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", what, w)
			}
		}
	}
	school := newBrowser(s)
	school.signIn(t, st.own, nil)
	if a := school.do(t, "GET", "/", nil, "Accept", "text/html"); a.status != http.StatusSeeOther || a.header.Get("Location") != "/ui/home" {
		t.Fatalf("/ with a session: %d %q", a.status, a.header.Get("Location"))
	}
	// Accept-Language with q-values picks Swedish over English.
	sv := page(school, "/ui/home", "Accept-Language", "en;q=0.5,sv;q=0.9")
	must("the Swedish home page", sv, `lang="sv"`, "Min organisation", "Mina projekt", "Oulun koulu", project, "Logga ut", `href="#main"`)
	// The switch sticks: the next page without ?lang= is in Finnish.
	page(school, "/ui/home?lang=fi", "Accept-Language", "en")
	fi := page(school, "/ui/projects", "Accept-Language", "en")
	must("the Finnish projects page (language kept)", fi, `lang="fi"`, "Omat hankkeet", project, "Hae")
	if strings.Contains(fi, "ui/organisations\"") {
		t.Error("a beneficiary is offered the list of all organisations")
	}

	office := newBrowser(s)
	office.signIn(t, st.office, nil)
	q := page(office, "/ui/home?lang=en")
	must("the office's queues", q, "Work queues", "Applications to assess", "Applications to decide", "Ukraine-exception requests", "Support requests", "Final reports to assess", "Overdue projects")
	must("the office's project search", page(office, "/ui/projects?q="+project[:4]+"&lang=en"), project)
	must("the office's organisations", page(office, "/ui/organisations?lang=en"), "Oulun koulu")

	an := newBrowser(s)
	an.signIn(t, st.analy, nil)
	stats := page(an, "/ui/home?lang=fi")
	must("the analyst's statistics", stats, "Tilastot", "<svg", `role="img"`, "Kohdemaat", "Saksa", "Lataa CSV Exceliin")
	// ASOF-EMPTY: before the first event the ledger held nothing, and the
	// page says so.
	old := page(an, "/ui/statistics?at=2014-01-01&clock=recorded&lang=en")
	must("the statistics as of 2014", old, "No data for this selection.", `id="asof-empty"`, "ASOF-EMPTY")
	c := an.do(t, "GET", "/ui/statistics.csv?sep=semicolon", nil)
	if c.status != 200 || !strings.HasPrefix(string(c.body), "\ufeffas_of;clock;chart;label;count") || !strings.Contains(string(c.body), ";destinations;") {
		t.Fatalf("the statistics CSV for Excel: %d %q", c.status, c.body)
	}
	// ASOF-CLOCK: as of a day the page and its CSV count the mobilities of
	// the ledger as it stood then, on either clock, as the API does.
	for _, day := range []string{"2022-06-15", "2022-12-31", "2023-10-16"} {
		for _, clock := range []string{"recorded", "effective"} {
			var rows []projections.MobilityStatsRow
			s.must(t, 200, st.analy, "GET", "/v1/statistics/mobilities?at="+day+"&clock="+clock, nil).json(t, &rows)
			want := int64(0)
			for _, r := range rows {
				want += r.Mobilities
			}
			q := "?at=" + day + "&clock=" + clock
			c := an.do(t, "GET", "/ui/statistics.csv"+q, nil)
			got := int64(0)
			for _, line := range strings.Split(string(c.body), "\n") {
				f := strings.Split(line, ",")
				if len(f) == 5 && f[2] == "per-year-action" {
					n, _ := strconv.ParseInt(f[4], 10, 64)
					got += n
				}
				if len(f) == 5 && f[0] != "as_of" && (f[0] != day || f[1] != clock) {
					t.Fatalf("the CSV as of %s on the %s clock names another point: %q", day, clock, line)
				}
			}
			if c.status != 200 || got != want {
				t.Fatalf("as of %s on the %s clock the CSV counts %d mobilities, the API %d", day, clock, got, want)
			}
			p := page(an, "/ui/statistics"+q+"&lang=fi")
			must("the statistics as of "+day, p, `value="`+day+`"`, `value="`+clock+`" aria-describedby="clock-`+clock+`-hint" checked`)
		}
	}
	if a := an.do(t, "GET", "/ui/statistics?at=yesterday", nil, "Accept", "text/html"); a.status != http.StatusBadRequest || !strings.Contains(string(a.body), "at") {
		t.Fatalf("a bad as-of day: %d", a.status)
	}
}

package api_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/projections"
)

// historyScenario reads the school's history on both clocks and exports
// it. The recovery REC1 was recorded on 2023-10-20 with effect from
// 2023-10-14 (a history recorded late): as of 2023-10-16 the recorded
// clock (the default) does not hold it and the effective clock does;
// before the first event both answer empty with a Warning (ASOF-EMPTY).
// Exports for analysts hold no personal data; the national office gets
// them only with a reason, each disclosure an event.
func historyScenario(t *testing.T, st *story) {
	s := st.s
	const mid = "2023-10-16"
	t.Run("ASOF-CLOCK/project", func(t *testing.T) {
		var rec, recNamed, eff api.ProjectAsOf
		s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/as-of?at="+mid, nil).json(t, &rec)
		s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/as-of?at="+mid+"&clock=recorded", nil).json(t, &recNamed)
		s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/as-of?at="+mid+"&clock=effective", nil).json(t, &eff)
		if rec.Clock != "recorded" || eff.Clock != "effective" || rec.Head != recNamed.Head {
			t.Fatalf("the default clock is not recorded: %s %s %+v %+v", rec.Clock, eff.Clock, rec.Head, recNamed.Head)
		}
		if eff.Head.Version != rec.Head.Version+1 || eff.Project.NetPaidCents != rec.Project.NetPaidCents-1_800_000 {
			t.Fatalf("as of %s: recorded version %d net paid %d, effective version %d net paid %d; want the late recovery on the effective clock only",
				mid, rec.Head.Version, rec.Project.NetPaidCents, eff.Head.Version, eff.Project.NetPaidCents)
		}
		s.must(t, 400, st.office, "GET", "/v1/projects/"+project+"/as-of?at="+mid+"&clock=wall", nil).problem(t)
	})
	t.Run("ASOF-CLOCK/organisation", func(t *testing.T) {
		var rec, eff api.OrganisationAsOf
		s.must(t, 200, st.analy, "GET", "/v1/organisations/"+school+"/as-of?at="+mid, nil).json(t, &rec)
		a := s.must(t, 200, st.analy, "GET", "/v1/organisations/"+school+"/as-of?at="+mid+"&clock=effective", nil)
		a.json(t, &eff)
		if !rec.Organisation.Registered || rec.Projects[project].NetPaidCents-eff.Projects[project].NetPaidCents != 1_800_000 {
			t.Fatalf("organisation as of %s: recorded %+v, effective %+v", mid, rec.Projects[project].NetPaidCents, eff.Projects[project].NetPaidCents)
		}
		if strings.Contains(string(a.body), "Aino") {
			t.Fatal("PD-EXPORT-PSEUDONYMOUS: the organisation as of a time shows personal data to an analyst")
		}
	})
	t.Run("ASOF-EMPTY/before the first event", func(t *testing.T) {
		for _, clock := range []string{"recorded", "effective"} {
			a := s.must(t, 404, st.office, "GET", "/v1/organisations/"+school+"/as-of?at=2021-06-01&clock="+clock, nil)
			if p := a.problem(t); p.Rule != "ASOF-EMPTY" || !strings.Contains(a.header.Get("Warning"), "ASOF-EMPTY") {
				t.Fatalf("%s clock: %+v, Warning %q", clock, p, a.header.Get("Warning"))
			}
			a = s.must(t, 200, st.analy, "GET", "/v1/statistics/projects?at=2021-06-01&clock="+clock, nil)
			if strings.TrimSpace(string(a.body)) != "[]" || !strings.Contains(a.header.Get("Warning"), "ASOF-EMPTY") {
				t.Fatalf("%s clock: statistics before the first event: %s, Warning %q", clock, a.body, a.header.Get("Warning"))
			}
		}
	})
	t.Run("ASOF-CLOCK/statistics", func(t *testing.T) {
		var rec, eff, now []projections.ProjectStatsRow
		s.must(t, 200, st.analy, "GET", "/v1/statistics/projects?at="+mid, nil).json(t, &rec)
		s.must(t, 200, st.analy, "GET", "/v1/statistics/projects?at="+mid+"&clock=effective", nil).json(t, &eff)
		s.must(t, 200, st.analy, "GET", "/v1/statistics/projects", nil).json(t, &now)
		if len(rec) != 1 || len(eff) != 1 || len(now) != 1 || rec[0].PaidCents-eff[0].PaidCents != 1_800_000 || eff[0].PaidCents != now[0].PaidCents {
			t.Fatalf("project statistics as of %s: recorded %+v, effective %+v, now %+v", mid, rec, eff, now)
		}
		a := s.must(t, 200, st.analy, "GET", "/v1/exports/statistics/projects.csv?at="+mid+"&clock=effective", nil)
		if recs, err := csv.NewReader(bytes.NewReader(a.body)).ReadAll(); err != nil || len(recs) != 2 {
			t.Fatalf("statistics CSV as of a time: %v %s", err, a.body)
		}
	})
	t.Run("PD-EXPORT-PSEUDONYMOUS/event export", func(t *testing.T) {
		a := s.must(t, 200, st.analy, "GET", "/v1/exports/events.ndjson", nil)
		lines := ndjsonLines(t, a.body)
		if len(lines) < 40 || a.header.Get("Content-Type") != "application/x-ndjson" {
			t.Fatalf("event export: %d lines, %s", len(lines), a.header.Get("Content-Type"))
		}
		// The history is sealed (PD-SEALED): neither the names nor the
		// sealed blocks leave in a pseudonymous export.
		for _, personal := range []string{"Aino", "Virtanen", "@koulu", "virkailija", "rehtori", `"personal_sealed"`, `"personal":`, "A256GCM"} {
			if bytes.Contains(a.body, []byte(personal)) {
				t.Fatalf("the event export shows %q", personal)
			}
		}
		// ASOF-CLOCK: the late recovery is in a range ending before it was
		// recorded on the effective clock only.
		rec := ndjsonLines(t, s.must(t, 200, st.analy, "GET", "/v1/exports/events.ndjson?from=2023-10-01&to="+mid, nil).body)
		eff := ndjsonLines(t, s.must(t, 200, st.analy, "GET", "/v1/exports/events.ndjson?from=2023-10-01&to="+mid+"&clock=effective", nil).body)
		if hasRecovery(rec) || !hasRecovery(eff) {
			t.Fatalf("event export to %s: recorded clock has the late recovery %v, effective %v", mid, hasRecovery(rec), hasRecovery(eff))
		}
		// By sequence.
		seq := ndjsonLines(t, s.must(t, 200, st.analy, "GET", "/v1/exports/events.ndjson?from=3&to=5", nil).body)
		if len(seq) == 0 || seq[0]["sequence"].(float64) < 3 || seq[len(seq)-1]["sequence"].(float64) > 5 {
			t.Fatalf("export by sequence: %v", seq)
		}
		b := s.must(t, 200, st.analy, "GET", "/v1/exports/events.ndjson?to=2020-01-01", nil)
		if len(b.body) != 0 || !strings.Contains(b.header.Get("Warning"), "ASOF-EMPTY") {
			t.Fatalf("ASOF-EMPTY: an empty export: %q, Warning %q", b.body, b.header.Get("Warning"))
		}
	})
	t.Run("PD-DISCLOSE-REASON/exports", func(t *testing.T) {
		p := s.must(t, 403, st.analy, "GET", "/v1/exports/events.ndjson?personal_data=true&reason=curious", nil).problem(t)
		if p.Rule != "PD-DISCLOSE-REASON" {
			t.Fatalf("an analyst asking for personal data: %+v", p)
		}
		if p := s.must(t, 400, st.office, "GET", "/v1/exports/events.ndjson?personal_data=true", nil).problem(t); p.Rule != "PD-DISCLOSE-REASON" || p.Field != "reason" {
			t.Fatalf("personal data without a reason: %+v", p)
		}
		a := s.must(t, 200, st.office, "GET", "/v1/exports/events.ndjson?personal_data=true&reason=court+order+2023-117", nil)
		if !bytes.Contains(a.body, []byte("Virtanen-M01")) || a.header.Get(api.HeaderDisclosure) == "" {
			t.Fatalf("the disclosed event export lacks the personal data or its disclosure: %q", a.header.Get(api.HeaderDisclosure))
		}
		// The sealed blocks are opened by the server, which holds the keys.
		if bytes.Contains(a.body, []byte(`"personal_sealed"`)) || !bytes.Contains(a.body, []byte(`"personal":{`)) {
			t.Fatal("PD-DISCLOSE-REASON: the disclosed event export shows the sealed blocks, not the personal data")
		}
		c := s.must(t, 200, st.office, "GET", "/v1/exports/mobilities.csv?personal_data=true&reason=court+order+2023-117", nil)
		if !bytes.Contains(c.body, []byte("Virtanen-M01")) || !bytes.Contains(c.body, []byte("first_name")) {
			t.Fatalf("the disclosed mobility CSV lacks the personal columns: %.300s", c.body)
		}
		c = s.must(t, 200, st.office, "GET", "/v1/exports/mobilities.csv", nil)
		if bytes.Contains(c.body, []byte("Virtanen")) || bytes.Contains(c.body, []byte("first_name")) {
			t.Fatal("PD-EXPORT-PSEUDONYMOUS: the office's plain mobility CSV holds personal data")
		}
	})
	t.Run("PD-ACCESS-EXPORT", func(t *testing.T) {
		path := "/v1/organisations/" + school + "/participants/PART-M01/access-export"
		if p := s.must(t, 400, st.office, "GET", path, nil).problem(t); p.Field != "reason" {
			t.Fatalf("an access export without a reason: %+v", p)
		}
		s.must(t, 403, st.analy, "GET", path+"?reason=x", nil)
		var ax api.AccessExport
		a := s.must(t, 200, st.office, "GET", path+"?reason=the+data+subject+asked+on+2023-11-02", nil)
		a.json(t, &ax)
		if ax.Status != "held" || ax.Personal == nil || ax.Personal.FirstName != "Aino" || len(ax.Mobilities) != 1 || len(ax.Events) == 0 || ax.DisclosureSequence == 0 {
			t.Fatalf("access export: %+v", ax)
		}
		evs, _ := json.Marshal(ax.Events)
		if bytes.Contains(evs, []byte("Aino")) || bytes.Contains(evs, []byte("rehtori")) || !bytes.Contains(evs, []byte("MobilityReported")) {
			t.Fatalf("the access export's events are not pseudonymous or lack the report: %.400s", evs)
		}
		s.must(t, 404, st.office, "GET", "/v1/organisations/"+school+"/participants/PART-NOBODY/access-export?reason=asked", nil)
	})
	t.Run("PD-DISCLOSE-REASON/every disclosure is an event", func(t *testing.T) {
		lines := ndjsonLines(t, s.must(t, 200, st.office, "GET", "/v1/exports/events.ndjson", nil).body)
		n := 0
		for _, l := range lines {
			if l["type"] == "PersonalDataDisclosed" {
				n++
				if d, _ := json.Marshal(l["data"]); bytes.Contains(d, []byte("Aino")) {
					t.Fatalf("a disclosure event carries personal data: %s", d)
				}
			}
		}
		if n != 3 {
			t.Fatalf("%d disclosure events, want 3 (event export, mobility CSV, access export)", n)
		}
	})
	t.Run("PD-ERASE/access export and disclosed export after an erasure", func(t *testing.T) {
		const pid = "PART-M29"
		base := "/v1/organisations/" + school + "/participants/" + pid
		var ax api.AccessExport
		s.must(t, 200, st.office, "GET", base+"/access-export?reason=the+data+subject+asked", nil).json(t, &ax)
		if ax.Status != "held" || ax.Personal == nil || ax.Personal.LastName != "Virtanen-M29" {
			t.Fatalf("access export before the erasure: %+v", ax)
		}
		e := s.must(t, 200, st.office, "POST", base+"/erasure", map[string]any{"reason": "the data subject asked (GDPR article 17)"})
		ax = api.AccessExport{}
		s.must(t, 200, st.office, "GET", base+"/access-export?reason=the+data+subject+asked+again", nil, after(e)...).json(t, &ax)
		if ax.Status != "erased" || ax.Personal != nil || len(ax.Mobilities) != 1 {
			t.Fatalf("access export after the erasure: %+v", ax)
		}
		if b, _ := json.Marshal(ax); bytes.Contains(b, []byte("Virtanen-M29")) {
			t.Fatalf("the access export of an erased participant shows their name: %s", b)
		}
		d := s.must(t, 200, st.office, "GET", "/v1/exports/events.ndjson?personal_data=true&reason=court+order+2023-118", nil)
		if bytes.Contains(d.body, []byte("Virtanen-M29")) || !bytes.Contains(d.body, []byte(`"personal_erased":true`)) || !bytes.Contains(d.body, []byte("Virtanen-M28")) {
			t.Fatal("PD-ERASE: the disclosed export does not show the erased participant as erased, or no longer shows the others")
		}
	})
}

// ndjsonLines parses an NDJSON body line by line.
func ndjsonLines(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v: %.200s", len(out)+1, err, sc.Text())
		}
		if m["specversion"] != "1.0" {
			t.Fatalf("line %d is no CloudEvent: %.200s", len(out)+1, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// hasRecovery tells whether the recovery REC1 is among the lines.
func hasRecovery(lines []map[string]any) bool {
	for _, l := range lines {
		if d, ok := l["data"].(map[string]any); ok && l["type"] == "PaymentRecorded" && d["payment_id"] == "REC1" {
			return true
		}
	}
	return false
}

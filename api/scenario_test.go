package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/projections"
)

const (
	school  = "E10000001"
	other   = "E20000002"
	project = "2022-1-FI01-KA122-SCH-000000001"
)

// mobilityCSV is the upload of the school: 30 job-shadowing mobilities and
// one row with an impossible date, which alone is refused.
func mobilityCSV() string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"mobility_id", "participant_id", "first_name", "last_name", "email", "activity", "start_date", "end_date",
		"sending_organisation", "receiving_organisation", "sending_country", "receiving_country", "receiving_city", "distance_km", "travel_days", "green_travel"})
	for i := 1; i <= 31; i++ {
		start, end := "2022-09-05", "2022-09-09"
		if i == 7 {
			start = "2022-09-31" // refused: no such day
		}
		id := fmt.Sprintf("M%02d", i)
		if i > 7 {
			id = fmt.Sprintf("M%02d", i-1)
		}
		_ = w.Write([]string{id, "PART-" + id, "Aino", "Virtanen-" + id, "aino." + id + "@koulu.example.fi", "SM-JOB-SHDW", start, end,
			"Oulun koulu", "Schule Berlin", "FI", "DE", "Berlin", "1100", "2", "no"})
	}
	w.Flush()
	return b.String()
}

func thirtyFirst() map[string]any {
	return map[string]any{
		"mobility_id": "M31", "participant_id": "PART-M31", "activity": "SM-JOB-SHDW",
		"personal":   map[string]any{"first_name": "Aino", "last_name": "Virtanen-M31"},
		"start_date": "2022-10-03", "end_date": "2022-10-07", "sending_organisation": "Oulun koulu",
		"receiving_organisation": "Skola Stockholm", "sending_country": "FI", "receiving_country": "SE",
		"receiving_city": "Stockholm", "distance_km": 400, "travel_days": 2,
	}
}

// story is what the scenarios leave behind for the role matrix.
type story struct {
	s                           *system
	own, foreign, office, analy string
	lastSeq                     string
}

// TestScenarios runs one scenario per user group from start to finish on
// the real system: a school applies for KA122, is approved, reports 30
// mobilities, is refused the 31st and submits its final report; a national
// office officer audits the history and verifies the hash chain; an
// analyst exports statistics. Then every route is tried with every role.
func TestScenarios(t *testing.T) {
	s := startSystem(t)
	st := &story{s: s,
		own: s.token(t, "beneficiary", school, "rehtori"), foreign: s.token(t, "beneficiary", other, "vieras"),
		office: s.token(t, "national-office", "", "virkailija"), analy: s.token(t, "analyst", "", "analyytikko")}
	t.Run("school applies, reports and submits the final report", func(t *testing.T) { schoolScenario(t, st) })
	t.Run("national office audits and verifies the hash chain", func(t *testing.T) { officeScenario(t, st) })
	t.Run("analyst exports statistics without personal data", func(t *testing.T) { analystScenario(t, st) })
	t.Run("history on two clocks, exports and disclosures", func(t *testing.T) { historyScenario(t, st) })
	t.Run("web pages in English and Finnish", func(t *testing.T) { webScenario(t, st) })
	t.Run("home pages per role, lists, statistics", func(t *testing.T) { webHomeScenario(t, st) })
	t.Run("every route with every role", func(t *testing.T) { roleMatrix(t, st) })
}

func schoolScenario(t *testing.T, st *story) {
	s := st.s
	s.clock.set("2022-01-10")
	a := s.must(t, 201, st.own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	if a.header.Get("Location") != "/v1/organisations/"+school || a.header.Get("ETag") != `"1"` {
		t.Fatalf("registration headers %v", a.header)
	}
	// The foreign school registers too; it may not register in the school's name.
	s.must(t, 201, st.foreign, "POST", "/v1/organisations", map[string]any{"oid": other, "legal_name": "Tampereen koulu", "country": "FI", "city": "Tampere", "kind": "school"})
	if p := s.must(t, 403, st.foreign, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "X", "country": "FI", "city": "X", "kind": "school"}).problem(t); p.Rule != "CORE-TASKS" {
		t.Fatalf("registering for another organisation: %+v", p)
	}

	s.clock.set("2022-02-10")
	application := map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"title": "Kielet ja kulttuurit", "partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000}
	a = s.must(t, 201, st.own, "POST", "/v1/projects", application, api.HeaderIdempotencyKey, "apply-2022")
	// A retry with the same key answers the same and writes nothing.
	again := s.must(t, 201, st.own, "POST", "/v1/projects", application, api.HeaderIdempotencyKey, "apply-2022")
	if string(again.body) != string(a.body) || again.header.Get(api.HeaderReplayed) != "true" {
		t.Fatalf("retry answered differently:\n%s\n%s", a.body, again.body)
	}
	// The beneficiary may not decide its own application.
	s.must(t, 403, st.own, "POST", "/v1/projects/"+project+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 1})

	s.clock.set("2022-04-01")
	s.must(t, 200, st.office, "POST", "/v1/projects/"+project+"/eligibility", map[string]any{"outcome": "eligible"})
	s.clock.set("2022-05-20")
	a = s.must(t, 200, st.office, "POST", "/v1/projects/"+project+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 6_000_000},
		api.HeaderReason, "meets the quality threshold", "If-Match", `"2"`)
	// A stale If-Match is a failed precondition.
	if p := s.must(t, 412, st.office, "POST", "/v1/projects/"+project+"/agreement", map[string]any{}, "If-Match", `"2"`).problem(t); p.Version == nil {
		t.Fatalf("412 without the current version: %+v", p)
	}
	s.clock.set("2022-06-10")
	s.must(t, 200, st.own, "POST", "/v1/projects/"+project+"/agreement", map[string]any{"agreement_no": "GA-2022-1"})
	s.clock.set("2022-06-20")
	s.must(t, 200, st.office, "POST", "/v1/projects/"+project+"/payments", map[string]any{"payment_id": "PF1", "kind": "pre-financing", "amount_cents": 4_800_000})

	// Read your writes: the project as the read models show it now.
	s.clock.set("2022-09-12")
	up := s.must(t, 200, st.own, "POST", "/v1/projects/"+project+"/mobilities.csv", mobilityCSV(), api.HeaderIdempotencyKey, "upload-1")
	var bulk api.BulkResult
	up.json(t, &bulk)
	if bulk.Accepted != 30 || bulk.Refused != 1 || len(bulk.Rows) != 31 {
		t.Fatalf("upload: accepted %d refused %d rows %d: %s", bulk.Accepted, bulk.Refused, len(bulk.Rows), up.body)
	}
	bad := bulk.Rows[6]
	if bad.Status != "refused" || bad.Line != 8 || bad.Column != "start_date" || bad.Field != "start_date" || bad.Code != 400 {
		t.Fatalf("refused row %+v", bad)
	}
	// Uploading the same file again with the same key records nothing new.
	var again2 api.BulkResult
	s.must(t, 200, st.own, "POST", "/v1/projects/"+project+"/mobilities.csv", mobilityCSV(), api.HeaderIdempotencyKey, "upload-1").json(t, &again2)
	if again2.Accepted != 30 || !again2.Rows[0].Replayed || again2.Sequence != bulk.Sequence {
		t.Fatalf("repeated upload: %+v", again2.Rows[0])
	}

	s.clock.set("2022-10-10")
	refused := s.must(t, 422, st.own, "POST", "/v1/projects/"+project+"/mobilities", thirtyFirst())
	if p := refused.problem(t); p.Rule != "KA122-MAX-MOB" || !strings.Contains(p.Detail, "30") {
		t.Fatalf("31st mobility: %+v", p)
	}

	var ps api.ProjectStatus
	s.must(t, 200, st.own, "GET", "/v1/projects/"+project, nil, api.HeaderMinSequence, fmt.Sprint(bulk.Sequence)).json(t, &ps)
	if ps.Project.Counts.Mobilities != 30 || ps.Project.Status != "ongoing" || ps.Budget.AwardedCents != 6_000_000 {
		t.Fatalf("project status %+v", ps.Project)
	}
	if ps.Budget.ReportedCents <= 0 || ps.Budget.RemainingCents != ps.Budget.AwardedCents-ps.Budget.ReportedCents || len(ps.Budget.Breakdown) == 0 || ps.Budget.Explanation == "" {
		t.Fatalf("budget %+v", ps.Budget)
	}
	var sum int64
	for _, l := range ps.Budget.Breakdown {
		sum += l.AmountCents
		if l.Explanation == "" {
			t.Errorf("breakdown line %s has no explanation", l.Category)
		}
	}
	if sum != ps.Budget.ReportedCents {
		t.Fatalf("breakdown sums to %d, reported %d", sum, ps.Budget.ReportedCents)
	}

	var os api.OrganisationStatus
	s.must(t, 200, st.own, "GET", "/v1/organisations/"+school, nil).json(t, &os)
	if os.Totals.Projects != 1 || os.Totals.AwardedCents != 6_000_000 || os.Totals.ReportedCents != ps.Budget.ReportedCents ||
		len(os.Projects) != 1 || len(os.Projects[0].Budget.Breakdown) != len(ps.Budget.Breakdown) {
		t.Fatalf("organisation status %+v", os.Totals)
	}

	// Cursor pagination over the 30 mobilities.
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		var page projections.MobilityPage
		s.must(t, 200, st.own, "GET", "/v1/projects/"+project+"/mobilities?limit=12&cursor="+cursor, nil).json(t, &page)
		for _, m := range page.Items {
			if seen[m.ID] {
				t.Fatalf("mobility %s on two pages", m.ID)
			}
			seen[m.ID] = true
		}
		if page.NextCursor == "" {
			if pages != 2 {
				t.Fatalf("%d pages, want 3", pages+1)
			}
			break
		}
		cursor = page.NextCursor
	}
	if len(seen) != 30 {
		t.Fatalf("pages hold %d mobilities", len(seen))
	}
	var filtered projections.MobilityPage
	s.must(t, 200, st.own, "GET", "/v1/mobilities?participant_id=PART-M05", nil).json(t, &filtered)
	if len(filtered.Items) != 1 || filtered.Items[0].ID != "M05" {
		t.Fatalf("filter by participant: %+v", filtered.Items)
	}

	// Too early for the final report; then on time.
	s.clock.set("2023-08-01")
	if p := s.must(t, 422, st.own, "POST", "/v1/projects/"+project+"/reports/final", map[string]any{"summary": "early"}).problem(t); p.Rule != "LIFE-FINAL-AFTER-END" {
		t.Fatalf("early final report: %+v", p)
	}
	s.clock.set("2023-09-10")
	a = s.must(t, 200, st.own, "POST", "/v1/projects/"+project+"/reports/final", map[string]any{"summary": "30 teachers shadowed colleagues in Berlin"})
	st.lastSeq = a.seq()
	// Reporting is locked from then on.
	if p := s.must(t, 422, st.own, "DELETE", "/v1/projects/"+project+"/mobilities/M01", map[string]any{"reason": "late change"}).problem(t); p.Rule != "LIFE-REPORT-LOCKED" {
		t.Fatalf("cancelling after the final report: %+v", p)
	}
	s.must(t, 200, st.own, "GET", "/v1/projects/"+project, nil, after(a)...).json(t, &ps)
	if ps.Project.Status != "final-report-submitted" {
		t.Fatalf("status after the final report: %s", ps.Project.Status)
	}
}

func officeScenario(t *testing.T, st *story) {
	s := st.s
	var h api.HistoryPage
	s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/history?limit=1000", nil, api.HeaderMinSequence, st.lastSeq).json(t, &h)
	// submitted, eligible, decided, signed, paid, 30 mobilities, final report.
	if len(h.Items) != 36 {
		t.Fatalf("history has %d events, want 36", len(h.Items))
	}
	for i, e := range h.Items {
		if e.When.IsZero() || e.Who.UserID == "" || e.Who.Role == "" || e.What == "" || len(e.Hash) != 64 || e.Version != uint64(i+1) {
			t.Fatalf("history entry %d lacks when/who/what/hash: %+v", i, e)
		}
		if i > 0 && e.PrevHash != h.Items[i-1].Hash {
			t.Fatalf("entry %d does not link to the one before", i)
		}
	}
	if d := h.Items[2]; d.What != "ApplicationDecided" || d.Why != "meets the quality threshold" || d.Who.Role != "national-office" || !strings.HasPrefix(d.Who.UserID, "virkailija/") {
		t.Fatalf("decision entry %+v", d)
	}
	if m := h.Items[5]; m.Who.Org != school || m.Who.Role != "beneficiary" {
		t.Fatalf("mobility entry %+v", m)
	}
	var v api.Verification
	s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/verification", nil).json(t, &v)
	if !v.Valid || v.Events != 36 || len(v.Chains) != 1 || v.Chains[0].LastHash != h.Items[35].Hash {
		t.Fatalf("project verification %+v", v)
	}
	s.must(t, 200, st.office, "GET", "/v1/organisations/"+school+"/verification", nil).json(t, &v)
	if !v.Valid || v.Events != 37 || len(v.Chains) != 2 {
		t.Fatalf("organisation verification %+v", v)
	}
	var oh api.HistoryPage
	s.must(t, 200, st.office, "GET", "/v1/organisations/"+school+"/history?limit=5", nil).json(t, &oh)
	if len(oh.Items) != 5 || oh.NextCursor == "" || oh.Items[0].What != "OrganisationRegistered" {
		t.Fatalf("organisation history page %+v", oh)
	}
	// The project as it stood before the decision, and after the uploads.
	var asOf api.ProjectAsOf
	s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/as-of?at=2022-05-01", nil).json(t, &asOf)
	if asOf.Project.Status != "eligible" || asOf.Head.Version != 2 || asOf.Project.AwardedCents != 0 {
		t.Fatalf("as of 2022-05-01: status %s version %d", asOf.Project.Status, asOf.Head.Version)
	}
	s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/as-of?at=2022-12-31", nil).json(t, &asOf)
	// The personal data are sealed in the events (PD-SEALED): the
	// aggregate's state as of a day carries neither them nor their block.
	if m := asOf.Project.Mobilities["M01"].Mobility; len(asOf.Project.Mobilities) != 30 || m.Personal.FirstName != "" || m.PersonalSealed != nil {
		t.Fatalf("as of 2022-12-31: %d mobilities, M01 %+v", len(asOf.Project.Mobilities), m)
	}
	// The officer assesses and records the balance on an earlier date.
	s.clock.set("2023-10-12")
	s.must(t, 200, st.office, "POST", "/v1/projects/"+project+"/reports/final/assessment", map[string]any{"outcome": "reduced", "final_cents": 3_000_000, "score": 80, "note": "receipts missing for part of the travel"})
	s.clock.set("2023-10-20")
	a := s.must(t, 200, st.office, "POST", "/v1/projects/"+project+"/payments", map[string]any{"payment_id": "REC1", "kind": "recovery", "amount_cents": 1_800_000},
		api.HeaderEffectiveAt, "2023-10-14", api.HeaderReason, "recovery decided the day before")
	var pays []projections.PaymentView
	s.must(t, 200, st.office, "GET", "/v1/projects/"+project+"/payments", nil, after(a)...).json(t, &pays)
	if len(pays) != 2 || pays[1].PaidOn != "2023-10-14" {
		t.Fatalf("payments %+v", pays)
	}
	// Only the national office may record the past.
	if p := s.must(t, 403, st.own, "POST", "/v1/projects/"+project+"/reports/interim", map[string]any{"report_id": "IR1"}, api.HeaderEffectiveAt, "2023-01-01").problem(t); p.Field != api.HeaderEffectiveAt {
		t.Fatalf("beneficiary recording the past: %+v", p)
	}
	st.lastSeq = a.seq()
}

func analystScenario(t *testing.T, st *story) {
	s := st.s
	var rows []projections.MobilityStatsRow
	s.must(t, 200, st.analy, "GET", "/v1/statistics/mobilities?call_year=2022&group_by=activity,receiving_country", nil).json(t, &rows)
	if len(rows) != 1 || rows[0].Mobilities != 30 || rows[0].Participants != 30 || rows[0].Activity != "SM-JOB-SHDW" || rows[0].ReceivingCountry != "DE" || rows[0].Days != 150 {
		t.Fatalf("mobility statistics %+v", rows)
	}
	a := s.must(t, 200, st.analy, "GET", "/v1/exports/statistics/mobilities.csv?group_by=activity", nil)
	recs, err := csv.NewReader(strings.NewReader(string(a.body))).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][3] != "SM-JOB-SHDW" || recs[1][9] != "30" {
		t.Fatalf("statistics CSV %v %v: %s", recs, err, a.body)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %s", ct)
	}
	a = s.must(t, 200, st.analy, "GET", "/v1/exports/statistics/projects.csv", nil)
	if !strings.Contains(string(a.body), "2022,KA122,school,") {
		t.Fatalf("project statistics CSV: %s", a.body)
	}
	a = s.must(t, 200, st.analy, "GET", "/v1/exports/mobilities.csv", nil)
	recs, err = csv.NewReader(strings.NewReader(string(a.body))).ReadAll()
	if err != nil || len(recs) != 31 {
		t.Fatalf("mobility export: %d lines, %v", len(recs), err)
	}
	for _, personal := range []string{"Aino", "Virtanen", "@koulu"} {
		if strings.Contains(string(a.body), personal) {
			t.Fatalf("the export shows personal data %q", personal)
		}
	}
	s.must(t, 403, st.analy, "GET", "/v1/participants/PART-M01?org="+school, nil)
	var asOf api.ProjectAsOf
	a = s.must(t, 200, st.analy, "GET", "/v1/projects/"+project+"/as-of?at=2023-01-01", nil)
	a.json(t, &asOf)
	if len(asOf.Project.Mobilities) != 30 || strings.Contains(string(a.body), "Aino") {
		t.Fatalf("the analyst's replay shows personal data or lost mobilities")
	}
	var rates api.RatesIndex
	s.must(t, 200, st.analy, "GET", "/v1/rates", nil).json(t, &rates)
	if len(rates.Years) == 0 {
		t.Fatal("no rates years")
	}
	a = s.must(t, 200, st.analy, "GET", fmt.Sprintf("/v1/rates/%d", 2022), nil)
	if !strings.Contains(string(a.body), "2022") {
		t.Fatalf("rates 2022: %s", a.body)
	}
	s.must(t, 404, st.analy, "GET", "/v1/rates/1999", nil).problem(t)
	s.must(t, 403, st.analy, "POST", "/v1/projects/"+project+"/reports/interim", map[string]any{"report_id": "IR1"})
	if a := s.must(t, 200, "", http.MethodGet, "/readyz", nil); !strings.Contains(string(a.body), "ready") {
		t.Fatalf("readyz %s", a.body)
	}
	s.must(t, 401, "", http.MethodGet, "/metrics", nil)
	s.must(t, 403, st.analy, http.MethodGet, "/metrics", nil)
	m := string(s.must(t, 200, st.office, http.MethodGet, "/metrics", nil).body)
	for _, want := range []string{"grants_projection_lag_events 0", `grants_commands_total{outcome="rule-violation",rule="KA122-MAX-MOB",type="ReportMobility"} 1`,
		`grants_bulk_rows_total{outcome="accepted",rule=""} 60`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// instance is another API server over the same ledger.
type instance struct {
	name   string
	url    string
	server *api.Server
}

// instance starts another API server over s's ledger: on its own read
// models (a second SQLite file kept by its own projector) when own, else
// on s's; cacheBytes is its Deps.ReadCacheBytes (-1: no cache).
func (s *system) instance(t *testing.T, name string, own bool, cacheBytes int64) instance {
	t.Helper()
	d := s.deps
	d.ReadCacheBytes = cacheBytes
	if own {
		ctx, cancel := context.WithCancel(context.Background())
		db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "second.db"), sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		proj, err := sqlite.NewProjector(db, sqlite.ProjectorConfig{Registry: aggregates.Registry(), KeyRing: storetest.KeyRing(), Vault: s.vault})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- proj.Run(ctx, s.store) }()
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("second projector: %v", err)
			}
			db.Close()
		})
		d.Reader, d.Quarantine, d.Ready = db, db.Quarantine, nil
	}
	srv, err := api.New(d)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return instance{name: name, url: hs.URL, server: srv}
}

// get reads path from in with token, after sequence seq when not empty,
// checks the answer against the contract and returns status and body.
func (in instance) get(t *testing.T, token, path, seq string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", in.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if seq != "" {
		req.Header.Set(api.HeaderMinSequence, seq)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s %s: %v", in.name, path, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s %s: %v", in.name, path, err)
		}
	}
	api.CheckContract(t, in.server, req, nil, res.StatusCode, res.Header, b)
	return res.StatusCode, res.Header, b
}

// TestReadCacheFollowsEveryStatusEvent proves the cache of project reads
// (status and mobility pages) invalidated by each kind of event that
// changes them, and by the day: before each step every cached instance
// has answered (so each holds the previous answer), after it each answers
// byte for byte what a server without cache answers from the same read
// models, and the instance on its own read models (a second projector)
// answers the same. A step marked changes must change the fresh answer,
// so the test would see a stale entry.
func TestReadCacheFollowsEveryStatusEvent(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	analyst, other := s.token(t, "analyst", "", "tilastot"), s.token(t, "beneficiary", "FI000000002", "muu")
	cached := s.instance(t, "cached", false, 0)
	second := s.instance(t, "second read models, cached", true, 0)
	fresh := s.instance(t, "no cache", false, -1)
	p := "/v1/projects/" + project
	reads := []struct{ name, token, path string }{
		{"status as the office", office, p},
		{"status as the beneficiary", own, p},
		{"status as an analyst", analyst, p},
		{"page of 50", office, p + "/mobilities?limit=50"},
		{"page of 1", own, p + "/mobilities?limit=1"},
		{"page with the cancelled", office, p + "/mobilities?include_cancelled=true"},
	}
	read := func(in instance, seq string) [][]byte {
		var out [][]byte
		for _, r := range reads {
			st, h, b := in.get(t, r.token, r.path, seq)
			out = append(out, append([]byte(h.Get("ETag")+" "), b...))
			_ = st
		}
		return out
	}
	claim := map[string]any{"mobility_id": "M1", "participant_id": "PART-M1", "activity": "SM-JOB-SHDW",
		"personal": map[string]any{"first_name": "Aino", "last_name": "Virtanen"}, "start_date": "2022-09-05", "end_date": "2022-09-09",
		"sending_organisation": "Oulun koulu", "receiving_organisation": "Schule Berlin", "sending_country": "FI", "receiving_country": "DE",
		"receiving_city": "Berlin", "distance_km": 1100, "travel_days": 2}
	correction := map[string]any{"reason": "the end date was wrong", "participant_id": "PART-M1", "activity": "SM-JOB-SHDW",
		"start_date": "2022-09-05", "end_date": "2022-09-12", "sending_organisation": "Oulun koulu", "receiving_organisation": "Schule Berlin",
		"sending_country": "FI", "receiving_country": "DE", "receiving_city": "Berlin", "distance_km": 1100, "travel_days": 2}
	second2 := map[string]any{"mobility_id": "M2", "participant_id": "PART-M2", "activity": "SM-JOB-SHDW",
		"personal": map[string]any{"first_name": "Eino", "last_name": "Leino"}, "start_date": "2022-10-03", "end_date": "2022-10-07",
		"sending_organisation": "Oulun koulu", "receiving_organisation": "Skola Stockholm", "sending_country": "FI", "receiving_country": "SE",
		"receiving_city": "Stockholm", "distance_km": 400, "travel_days": 2}
	type step struct {
		event   string // the event type the step records ("" for none)
		day     string
		changes bool
		do      func() answer
	}
	cmd := func(token, method, path string, body any) func() answer {
		return func() answer { return s.must(t, 200, token, method, path, body) }
	}
	steps := []step{
		{"ApplicationSubmitted", "2022-02-10", true, func() answer {
			return s.must(t, 201, own, "POST", "/v1/projects", map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
				"partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000})
		}},
		{"EligibilityAssessed", "2022-04-01", true, cmd(office, "POST", p+"/eligibility", map[string]any{"outcome": "eligible"})},
		{"ApplicationDecided", "2022-05-20", true, cmd(office, "POST", p+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 5_000_000})},
		{"GrantAgreementSigned", "2022-06-10", true, cmd(own, "POST", p+"/agreement", map[string]any{"agreement_no": "GA-2022-1"})},
		{"PaymentPlanSet", "2022-06-11", true, cmd(office, "PUT", p+"/payment-plan", map[string]any{"instalments": []any{
			map[string]any{"id": "PF1", "kind": "pre-financing", "amount_cents": 4_000_000, "due_date": "2022-07-10"},
			map[string]any{"id": "PF2", "kind": "pre-financing", "amount_cents": 500_000, "due_date": "2023-01-31"}}})},
		// No event: the day passes PF1's due date, the schedule says overdue.
		{"", "2022-07-11", true, nil},
		{"PaymentRecorded", "2022-07-12", true, cmd(office, "POST", p+"/payments", map[string]any{"payment_id": "P1", "kind": "pre-financing", "amount_cents": 4_000_000})},
		{"InclusionSupportRequested", "2022-08-01", true, cmd(own, "POST", p+"/support-requests", map[string]any{"request_id": "R1", "inclusion_support_cents": 30_000, "justification": "an assistant for a pupil in a wheelchair"})},
		{"InclusionSupportDecided", "2022-08-02", true, cmd(office, "POST", p+"/support-requests/R1/decision", map[string]any{"outcome": "approved", "inclusion_support_cents": 30_000})},
		{"MobilityReported", "2022-09-12", true, func() answer { return s.must(t, 201, own, "POST", p+"/mobilities", claim) }},
		{"MobilityReported (a second)", "2022-10-10", true, func() answer { return s.must(t, 201, own, "POST", p+"/mobilities", second2) }},
		{"MobilityCorrected", "2022-10-11", true, cmd(own, "PUT", p+"/mobilities/M1", correction)},
		{"MobilityCancelled", "2022-10-12", true, cmd(own, "DELETE", p+"/mobilities/M2", map[string]any{"reason": "reported twice"})},
		{"ProjectAmended", "2022-11-01", true, cmd(office, "POST", p+"/amendments", map[string]any{"amendment_id": "AM-1", "awarded_cents": 5_500_000, "justification": "more pupils"})},
		{"DeadlineFlagRaised", "2023-10-31", true, cmd(office, "POST", p+"/deadline-flags", map[string]any{})},
		{"FinalReportSubmitted", "2023-11-02", true, cmd(own, "POST", p+"/reports/final", map[string]any{"summary": "one pupil shadowed colleagues in Berlin"})},
		{"FinalReportAssessed", "2023-11-20", true, cmd(office, "POST", p+"/reports/final/assessment", map[string]any{"outcome": "reduced", "final_cents": 80_000, "score": 80, "note": "receipts missing"})},
		// An event of another kind (the participant's erasure) may change
		// any project's answers: it is followed too, changed or not.
		{"ParticipantErased", "2023-11-21", false, cmd(office, "POST", "/v1/organisations/"+school+"/participants/PART-M1/erasure", map[string]any{"reason": "the guardian asked (GDPR article 17)"})},
	}
	s.clock.set("2022-01-10")
	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	var last [][]byte
	for _, st := range steps {
		name := st.event
		if name == "" {
			name = "the day " + st.day
		}
		t.Run(name, func(t *testing.T) {
			// Every cached instance holds the answers before the step, of
			// the step's day (but for the step that is the day changing).
			if st.do != nil {
				s.clock.set(st.day)
			}
			read(cached, "")
			read(second, "")
			s.clock.set(st.day)
			seq := ""
			if st.do != nil {
				seq = st.do().seq()
			}
			want := read(fresh, seq)
			for _, in := range []instance{cached, second} {
				got := read(in, seq)
				for i := range reads {
					if !bytes.Equal(got[i], want[i]) {
						t.Errorf("%s, %s: stale or different after %s:\n got %s\nwant %s", in.name, reads[i].name, name, got[i], want[i])
					}
				}
			}
			if st.changes && last != nil && bytes.Equal(last[0], want[0]) {
				t.Errorf("%s did not change the status: the step proves nothing", name)
			}
			last = want
			// A beneficiary of another organisation gets the same 404
			// from a cached answer as from the read models.
			if code, _, _ := cached.get(t, other, p, seq); code != http.StatusNotFound {
				t.Errorf("another organisation's beneficiary: %d, want 404", code)
			}
		})
	}
}

// TestReadCachePageGzip: a cached page is also served gzipped to a client
// that accepts it, the same JSON once inflated, and as is to one that
// does not.
func TestReadCachePageGzip(t *testing.T) {
	s := startSystem(t)
	own, office := s.token(t, "beneficiary", school, "rehtori"), s.token(t, "national-office", "", "virkailija")
	p := "/v1/projects/" + project
	s.clock.set("2022-01-10")
	s.must(t, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	s.clock.set("2022-02-10")
	s.must(t, 201, own, "POST", "/v1/projects", map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000})
	s.must(t, 200, office, "POST", p+"/eligibility", map[string]any{"outcome": "eligible"})
	s.must(t, 200, office, "POST", p+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 5_000_000})
	s.must(t, 200, own, "POST", p+"/agreement", map[string]any{"agreement_no": "GA-2022-1"})
	s.clock.set("2022-09-12")
	var a answer
	for _, id := range []string{"M1", "M2", "M3", "M4"} {
		a = s.must(t, 201, own, "POST", p+"/mobilities", map[string]any{"mobility_id": id, "participant_id": "PART-" + id, "activity": "SM-JOB-SHDW",
			"personal": map[string]any{"first_name": "Aino", "last_name": "Virtanen"}, "start_date": "2022-09-05", "end_date": "2022-09-09",
			"sending_organisation": "Oulun koulu", "receiving_organisation": "Schule Berlin", "sending_country": "FI", "receiving_country": "DE",
			"receiving_city": "Berlin", "distance_km": 1100, "travel_days": 2})
	}
	path := p + "/mobilities?limit=50"
	plain := s.must(t, 200, office, "GET", path, nil, after(a)...)
	in := instance{name: "main", url: s.url, server: s.server}
	_, h, b := in.get(t, office, path, "", "Accept-Encoding", "gzip")
	if h.Get("Content-Encoding") != "gzip" || h.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("Content-Encoding %q, Vary %q", h.Get("Content-Encoding"), h.Get("Vary"))
	}
	if !bytes.Equal(b, plain.body) {
		t.Fatalf("gzipped page differs once inflated:\n%s\n%s", b, plain.body)
	}
	_, h, b = in.get(t, office, path, "", "Accept-Encoding", "gzip;q=0")
	if h.Get("Content-Encoding") != "" || !bytes.Equal(b, plain.body) {
		t.Fatalf("gzip refused with q=0 but served %q", h.Get("Content-Encoding"))
	}
}

package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchProject sets up a running KA122 project for the benchmarks.
func benchProject(b *testing.B) (*system, string, string) { return runningProject(b) }

// runningProject sets up the school with a signed KA122 project (version 4).
func runningProject(b testing.TB) (*system, string, string) {
	s := startSystem(b)
	own, office := s.token(b, "beneficiary", school, "bench"), s.token(b, "national-office", "", "bench")
	s.clock.set("2022-01-10")
	s.must(b, 201, own, "POST", "/v1/organisations", map[string]any{"oid": school, "legal_name": "Oulun koulu", "country": "FI", "city": "Oulu", "kind": "school"})
	s.clock.set("2022-02-10")
	s.must(b, 201, own, "POST", "/v1/projects", map[string]any{"project_id": project, "oid": school, "action": "KA122", "field": "school", "call_year": 2022, "round": 1,
		"partners": []any{}, "start_date": "2022-06-01", "end_date": "2023-08-31", "requested_cents": 6_000_000})
	s.clock.set("2022-04-01")
	s.must(b, 200, office, "POST", "/v1/projects/"+project+"/eligibility", map[string]any{"outcome": "eligible"})
	s.must(b, 200, office, "POST", "/v1/projects/"+project+"/decision", map[string]any{"outcome": "approved", "awarded_cents": 6_000_000})
	s.clock.set("2022-06-10")
	s.must(b, 200, own, "POST", "/v1/projects/"+project+"/agreement", map[string]any{})
	s.clock.set("2022-09-12")
	return s, own, office
}

// BenchmarkReportMobilityHTTP measures one command through the whole
// stack: HTTP, authentication, decoding, decision, JetStream append. The
// mobilities are cancelled at once so the project never reaches its limit.
func BenchmarkReportMobilityHTTP(b *testing.B) {
	s, own, _ := benchProject(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m := thirtyFirst()
		m["mobility_id"], m["participant_id"], m["start_date"], m["end_date"] = fmt.Sprintf("B%06d", i), fmt.Sprintf("P%06d", i), "2022-09-05", "2022-09-09"
		s.must(b, 201, own, "POST", "/v1/projects/"+project+"/mobilities", m)
		s.must(b, 200, own, "DELETE", fmt.Sprintf("/v1/projects/%s/mobilities/B%06d", project, i), map[string]any{})
	}
}

// BenchmarkProjectStatusHTTP measures the project status with its budget
// computed over 30 mobilities.
func BenchmarkProjectStatusHTTP(b *testing.B) {
	s, own, _ := benchProject(b)
	up := s.must(b, 200, own, "POST", "/v1/projects/"+project+"/mobilities.csv", mobilityCSV())
	s.must(b, 200, own, "GET", "/v1/projects/"+project, nil, after(up)...)
	b.ResetTimer()
	for b.Loop() {
		s.must(b, 200, own, "GET", "/v1/projects/"+project, nil)
	}
}

// BenchmarkCachedReadsHandler measures the server's own cost of the two
// reads answered from memory (the project status, a 50-item page of its
// mobilities, gzipped), through the handler in process: no sockets and no
// client. The test system's token store reads JetStream on every request
// (grants serve's keeps the tokens in memory): compare the allocations of
// two builds here, and the rates with grants bench --http.
func BenchmarkCachedReadsHandler(b *testing.B) {
	s, own, _ := benchProject(b)
	up := s.must(b, 200, own, "POST", "/v1/projects/"+project+"/mobilities.csv", mobilityCSV())
	h := s.server.Handler()
	for _, path := range []string{"/v1/projects/" + project, "/v1/projects/" + project + "/mobilities?limit=50"} {
		s.must(b, 200, own, "GET", path, nil, after(up)...)
		b.Run(path[len("/v1/projects/"+project):], func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", "Bearer "+own)
			req.Header.Set("Accept-Encoding", "gzip")
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: status %d: %s", path, w.Code, w.Body)
				}
			}
		})
	}
}

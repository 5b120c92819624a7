package api

import (
	"net/http"
	"testing"

	"github.com/erasmus-ledger/grants/aggregates"
)

// TestMetricsTokenReadsOnlyMetrics: the dedicated metrics token opens
// /metrics and nothing else; without it or a national-office token
// /metrics is refused.
func TestMetricsTokenReadsOnlyMetrics(t *testing.T) {
	const secret = "metrics-secret-of-the-prometheus-scraper"
	u := newUnitServer(t, func(d *Deps) { d.MetricsToken = secret })
	for _, tc := range []struct {
		name, role, path string
		hdr              []string
		want             int
	}{
		{"no credentials", "", "/metrics", nil, http.StatusUnauthorized},
		{"a wrong metrics token", "", "/metrics", []string{"Authorization", "Bearer " + secret + "x"}, http.StatusUnauthorized},
		{"the metrics token", "", "/metrics", []string{"Authorization", "Bearer " + secret}, http.StatusOK},
		{"a national-office token", aggregates.RoleNationalOffice, "/metrics", nil, http.StatusOK},
		{"an analyst token", aggregates.RoleAnalyst, "/metrics", nil, http.StatusForbidden},
		{"the metrics token elsewhere", "", "/v1/organisations", []string{"Authorization", "Bearer " + secret}, http.StatusUnauthorized},
		{"the metrics token for the sessions", "", "/v1/sessions", []string{"Authorization", "Bearer " + secret}, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := u.do(t, tc.role, http.MethodGet, tc.path, "", tc.hdr...)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.want, w.Body)
			}
			if w.Code >= 400 {
				problemBody(t, w)
			}
		})
	}
}

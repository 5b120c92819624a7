package natscluster_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// TestJetStreamEnabledReadsOnlyTheAnswersThatSayIt: /healthz?js-enabled-only
// answers 200 when JetStream runs and 503 when it is disabled; a 500 (a busy
// server's own readiness check missed its 1 ms deadline) says nothing about
// JetStream and must be an error, never "disabled": the watcher would reload
// a healthy node on it, and a fault test would see a fault that is not there.
func TestJetStreamEnabledReadsOnlyTheAnswersThatSayIt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		code    int
		enabled bool
		wantErr bool
	}{
		{"200 is enabled", http.StatusOK, true, false},
		{"503 is disabled", http.StatusServiceUnavailable, false, false},
		{"500 is not known", http.StatusInternalServerError, false, true},
		{"404 is not known", http.StatusNotFound, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/healthz" || r.URL.Query().Get("js-enabled-only") != "true" {
					http.NotFound(w, r)
					return
				}
				w.WriteHeader(tc.code)
			}))
			defer srv.Close()
			_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			p, _ := strconv.Atoi(port)
			c := &natscluster.Cluster{Nodes: []natscluster.NodeInfo{{Name: "n1", MonitorPort: p}}}
			enabled, err := c.JetStreamEnabled(context.Background(), 0)
			if (err != nil) != tc.wantErr || enabled != tc.enabled {
				t.Fatalf("JetStreamEnabled = %v, %v; want %v, error %v", enabled, err, tc.enabled, tc.wantErr)
			}
		})
	}
}

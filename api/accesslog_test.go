package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// captured is a slog.Handler that keeps every record, at every level.
type captured struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *captured) Enabled(context.Context, slog.Level) bool { return true }
func (h *captured) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *captured) WithGroup(string) slog.Handler            { return h }
func (h *captured) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r.Clone())
	return nil
}

// attrs returns a record's attributes as strings.
func attrs(r slog.Record) map[string]string {
	m := map[string]string{}
	r.Attrs(func(a slog.Attr) bool {
		m[a.Key] = a.Value.String()
		return true
	})
	return m
}

// text renders a record as one line, to search it for what must not be
// there.
func text(r slog.Record) string {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%s", a.Key, a.Value)
		return true
	})
	return b.String()
}

// accessLine waits for the access log line of the request id: the server
// writes it once the answer has left.
func (h *captured) accessLine(t *testing.T, id string) slog.Record {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		for _, r := range h.records {
			if r.Message == "request" && attrs(r)["request_id"] == id {
				h.mu.Unlock()
				return r
			}
		}
		h.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no access log line for request %s", id)
	return slog.Record{}
}

// at returns the records of the request id at level min or above, the
// access line aside.
func (h *captured) at(min slog.Level, id string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level >= min && r.Message != "request" && attrs(r)["request_id"] == id {
			out = append(out, r.Level.String()+" "+text(r))
		}
	}
	return out
}

// readiness is what Deps.Ready answers, set by the test.
type readiness struct {
	mu  sync.Mutex
	err error
}

func (r *readiness) set(err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
}

func (r *readiness) check(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// loggedServer is the real HTTP server over fakes, logging into a
// captured handler.
func loggedServer(t *testing.T, ready *readiness) (*unitServer, *captured, string) {
	t.Helper()
	h := &captured{}
	u := newUnitServer(t, func(d *Deps) {
		d.Logger = slog.New(h)
		d.Ready = ready.check
	})
	hs := httptest.NewServer(u.s.Handler())
	t.Cleanup(hs.Close)
	return u, h, hs.URL
}

// send makes a request and returns its status, body size and request ID.
func send(t *testing.T, method, url, token, body string) (int, int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, len(b), resp.Header.Get(HeaderRequestID)
}

// TestAccessLogOneInfoLinePerRequestWithoutPersonalData: every request
// leaves one info line with its method, route pattern, status, duration,
// request ID and size, and nothing of its path IDs, query, headers or
// body.
func TestAccessLogOneInfoLinePerRequestWithoutPersonalData(t *testing.T) {
	var ready readiness
	u, h, base := loggedServer(t, &ready)
	office := u.tokens["national-office"]
	cases := []struct {
		name, method, path, body, token, route string
	}{
		{"route pattern, not the IDs or the query", http.MethodGet, "/v1/organisations/E10000001?name=Maria+Example", "", u.tokens["beneficiary"], "/v1/organisations/:oid"},
		{"no body", http.MethodPost, "/v1/organisations", `{"oid":"E30000003","legal_name":"Maria Example School","country":"FI","city":"Espoo","kind":"school"}`, office, "/v1/organisations"},
		{"refused token", http.MethodGet, "/v1/organisations", "", "grants_not-a-real-secret", "/v1/organisations"},
		{"unknown route", http.MethodGet, "/v1/people/Maria-Example", "", "", "unmatched"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, size, id := send(t, c.method, base+c.path, c.token, c.body)
			r := h.accessLine(t, id)
			if r.Level != slog.LevelInfo {
				t.Fatalf("access line at %s, want INFO", r.Level)
			}
			got := attrs(r)
			want := map[string]string{"method": c.method, "route": c.route, "status": fmt.Sprint(status), "bytes": fmt.Sprint(size)}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (line %s)", k, got[k], v, text(r))
				}
			}
			if _, err := strconv.ParseFloat(got["duration_ms"], 64); err != nil {
				t.Errorf("duration_ms %q: %v", got["duration_ms"], err)
			}
			line := text(r)
			for _, secret := range []string{"Maria", "E10000001", "E30000003", "Espoo", "name=", "grants_", "Bearer"} {
				if strings.Contains(line, secret) {
					t.Errorf("the access line holds %q: %s", secret, line)
				}
			}
		})
	}
}

// TestReadinessDuringCatchUpIsNotAnError: a /readyz answered 503 because
// the read models are catching up logs nothing above debug (the access
// line is info); a real readiness failure is logged as an error.
func TestReadinessDuringCatchUpIsNotAnError(t *testing.T) {
	var ready readiness
	_, h, base := loggedServer(t, &ready)

	ready.set(fmt.Errorf("after a replay: %w", CatchingUp{Checkpoint: 10, Last: 20}))
	status, _, id := send(t, http.MethodGet, base+"/readyz", "", "")
	if status != http.StatusServiceUnavailable {
		t.Fatalf("catching up: status %d, want 503", status)
	}
	if r := h.accessLine(t, id); r.Level != slog.LevelInfo || attrs(r)["status"] != "503" {
		t.Fatalf("catching up: access line %s %s", r.Level, text(r))
	}
	if above := h.at(slog.LevelInfo, id); len(above) > 0 {
		t.Fatalf("catching up logged %v, want nothing above debug", above)
	}

	ready.set(errors.New("jetstream: no responders"))
	status, _, id = send(t, http.MethodGet, base+"/readyz", "", "")
	if status != http.StatusServiceUnavailable {
		t.Fatalf("failure: status %d, want 503", status)
	}
	h.accessLine(t, id)
	if errs := h.at(slog.LevelError, id); len(errs) == 0 {
		t.Fatal("a real readiness failure was not logged as an error")
	}

	ready.set(nil)
	if status, _, _ = send(t, http.MethodGet, base+"/readyz", "", ""); status != http.StatusOK {
		t.Fatalf("ready: status %d, want 200", status)
	}
}

// count returns how many records at level min or above carry message msg.
func (h *captured) count(min slog.Level, msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.records {
		if r.Level >= min && r.Message == msg {
			n++
		}
	}
	return n
}

// TestReadinessFailureIsLoggedOnceWhileItLasts: a load balancer probes
// /readyz every few seconds while a disk is full or read-only, for
// minutes; the failure is logged as an error at its first probe only (the
// others answer 503 as well, logged at debug), its end once, and a new
// failure again.
func TestReadinessFailureIsLoggedOnceWhileItLasts(t *testing.T) {
	var ready readiness
	_, h, base := loggedServer(t, &ready)
	probe := func(want int) string {
		t.Helper()
		status, _, id := send(t, http.MethodGet, base+"/readyz", "", "")
		if status != want {
			t.Fatalf("/readyz: status %d, want %d", status, want)
		}
		h.accessLine(t, id)
		return id
	}
	fault := errors.New("COMMIT: disk I/O error: read-only file system")
	ready.set(fault)
	first := probe(http.StatusServiceUnavailable)
	if errs := h.at(slog.LevelError, first); len(errs) != 1 {
		t.Fatalf("the first probe of a failure logged %v, want one error", errs)
	}
	for range 5 {
		if above := h.at(slog.LevelInfo, probe(http.StatusServiceUnavailable)); len(above) > 0 {
			t.Fatalf("a probe of the same failure logged %v, want nothing above debug", above)
		}
	}
	ready.set(nil)
	probe(http.StatusOK)
	probe(http.StatusOK)
	if n := h.count(slog.LevelInfo, "no longer failing readiness"); n != 1 {
		t.Fatalf("the end of the failure logged %d times, want once", n)
	}
	ready.set(fault)
	if errs := h.at(slog.LevelError, probe(http.StatusServiceUnavailable)); len(errs) != 1 {
		t.Fatalf("the first probe of a new failure logged %v, want one error", errs)
	}
}

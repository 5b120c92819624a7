package httpbench

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestGetterReadsEveryKindOfAnswerOverKeptConnections serves answers of a
// declared length, chunked, an error, and one that closes the connection:
// the Getter must return each status (and the body of the error), send
// the token and Accept-Encoding, and reuse the connections it keeps.
func TestGetterReadsEveryKindOfAnswerOverKeptConnections(t *testing.T) {
	var conns atomic.Int64
	big := strings.Repeat("x", 100_000)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "bad headers", http.StatusBadRequest)
			return
		}
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "5")
			w.Write([]byte("hello"))
		case "/chunked":
			for range 3 {
				w.Write([]byte(big))
				w.(http.Flusher).Flush()
			}
		case "/missing":
			http.Error(w, "no such thing", http.StatusNotFound)
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		}
	}))
	g := countingGetter(t, srv, &conns)
	ctx := context.Background()
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/length", 200, ""}, {"/chunked", 200, ""}, {"/missing?x=1", 404, "no such thing\n"}, {"/length", 200, ""}, {"/close", 200, ""}, {"/length", 200, ""},
	} {
		st, body, err := g.Get(ctx, tc.path, "tok")
		if err != nil || st != tc.status || string(body) != tc.body {
			t.Fatalf("GET %s: %d %q %v, want %d %q", tc.path, st, body, err, tc.status, tc.body)
		}
	}
	// One connection until /close, then a second one.
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections opened, want 2 (kept alive, then one after Connection: close)", n)
	}
	// Concurrent calls each take a connection of their own.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if st, body, err := g.Get(ctx, "/chunked", "tok"); err != nil || st != 200 {
					t.Errorf("concurrent GET: %d %q %v", st, body, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := conns.Load(); n > 2+8 {
		t.Fatalf("%d connections opened for 8 concurrent callers", n)
	}
}

// TestGetterPostsCommandsAndReturnsTheAskedHeader: a POST carries its
// JSON body with its length, the token and the extra headers; a 2xx answer
// gives the header asked for and no body, an error its body; the
// connection is kept for the next call.
func TestGetterPostsCommandsAndReturnsTheAskedHeader(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil || r.Method != "POST" || r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("Content-Type") != "application/json" ||
			r.ContentLength != int64(len(b)) || r.Header.Get("Idempotency-Key") != "k1" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if string(b) != `{"ok":true}` {
			http.Error(w, "refused: "+string(b), http.StatusUnprocessableEntity)
			return
		}
		w.Header().Set("Grants-Sequence", "42")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"events":[]}`))
	}))
	g := countingGetter(t, srv, &conns)
	ctx := context.Background()
	for _, tc := range []struct {
		body, want, status, answer, header string
	}{
		{`{"ok":true}`, "Grants-Sequence", "201", "", "42"},
		{`{"ok":false}`, "Grants-Sequence", "422", "refused: {\"ok\":false}\n", ""},
		{`{"ok":true}`, "", "201", "", ""},
	} {
		st, body, h, err := g.Post(ctx, "/v1/things", "tok", []byte(tc.body), []string{"Idempotency-Key", "k1"}, tc.want)
		if err != nil || strconv.Itoa(st) != tc.status || string(body) != tc.answer || h != tc.header {
			t.Fatalf("POST %s: %d %q %q %v, want %s %q %q", tc.body, st, body, h, err, tc.status, tc.answer, tc.header)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections opened, want 1 kept alive", n)
	}
}

// countingGetter starts srv, counting the connections it accepts in
// conns, and returns a Getter of it; both are closed when t ends.
func countingGetter(t *testing.T, srv *httptest.Server, conns *atomic.Int64) *Getter {
	t.Helper()
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	g, err := NewGetter(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

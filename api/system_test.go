package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/api"
	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

// clock is a settable clock: each step of a scenario happens on its date.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(day string) {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t.Add(10 * time.Hour)
	c.mu.Unlock()
}

// system is the whole ledger behind a real HTTP server on 127.0.0.1:0:
// embedded NATS with JetStream, the command handler, SQLite read models
// kept up by a running projector, tokens in the JetStream bucket.
type system struct {
	url    string
	clock  *clock
	tokens *auth.Service
	store  *jetstream.Store
	db     *sqlite.DB
	server *api.Server
	vault  *pii.KeyVault
	// deps built server; other instances over the same ledger start from
	// them (readcache_system_test.go).
	deps api.Deps
}

func startSystem(t testing.TB) *system {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := jetstream.StartEmbedded(jetstream.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := jetstream.ConnectInProcess(srv)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	clk.set("2022-01-03")
	reg := aggregates.Registry()
	store, err := jetstream.Open(ctx, nc, reg, jetstream.Config{Clock: clk, Signer: storetest.Signer})
	if err != nil {
		t.Fatal(err)
	}
	book, err := rates.Default()
	if err != nil {
		t.Fatal(err)
	}
	// Personal data are sealed as grants serve seals them (PD-SEALED):
	// every API test reads them back through the vault.
	vault, err := pii.NewVault(bytes.Repeat([]byte{7}, pii.KeySize), pii.NewMemoryKeys())
	if err != nil {
		t.Fatal(err)
	}
	handler := command.New(store, aggregates.NewDomain(book, aggregates.Policy{}), reg, clk, command.Config{Sealer: personal.Sealer{Vault: vault}})
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "grants.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ring := storetest.KeyRing()
	proj, err := sqlite.NewProjector(db, sqlite.ProjectorConfig{Registry: reg, KeyRing: ring, Vault: vault})
	if err != nil {
		t.Fatal(err)
	}
	projDone := make(chan error, 1)
	go func() { projDone <- proj.Run(ctx, store) }()
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := authjs.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewService(ts, clk)
	deps := api.Deps{
		Commands: handler, Reader: db, Tokens: tokens, Rates: book,
		Ready: func(ctx context.Context) error {
			if err := store.Ready(ctx); err != nil {
				return err
			}
			last, err := store.LastSequence(ctx)
			if err != nil {
				return err
			}
			if db.Checkpoint() < last {
				return errBehind
			}
			return nil
		},
		LastSequence: store.LastSequence, Clock: clk, MaxWait: 20 * time.Second,
		KeyRing: ring, Quarantine: db.Quarantine, Events: store, Personal: vault, HistoryAt: historyAtFor(store, ring),
		Verify: func(ctx context.Context) (events.StreamReport, error) {
			rep, _, err := events.VerifyStore(ctx, store, ring, events.VerifyOptions{})
			return rep, err
		},
	}
	s, err := api.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		hs.Close()
		cancel()
		if err := <-projDone; err != nil {
			t.Errorf("projector: %v", err)
		}
		db.Close()
		store.Close()
		nc.Close()
		srv.Shutdown()
		srv.WaitForShutdown()
	})
	return &system{url: hs.URL, clock: clk, tokens: tokens, store: store, db: db, server: s, vault: vault, deps: deps}
}

type behind struct{}

func (behind) Error() string { return "projections are behind the stream" }

var errBehind error = behind{}

// token makes a token and returns its secret.
func (s *system) token(t testing.TB, role, org, name string) string {
	t.Helper()
	_, secret, err := s.tokens.Create(context.Background(), auth.CreateRequest{Role: role, Org: org, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// answer is one HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decoding %s: %v", a.body, err)
	}
}

func (a answer) problem(t *testing.T) api.Problem {
	t.Helper()
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, api.ProblemContentType) {
		t.Fatalf("status %d with %q, want problem+json: %s", a.status, ct, a.body)
	}
	var p api.Problem
	a.json(t, &p)
	return p
}

func (a answer) seq() string { return a.header.Get(api.HeaderSequence) }

// call sends one request with a bearer token; hdr are header pairs.
func (s *system) call(t testing.TB, token, method, path string, body any, hdr ...string) answer {
	t.Helper()
	var r io.Reader
	var sent []byte
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		sent, ct = []byte(b), "text/csv"
		r = bytes.NewReader(sent)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		sent, ct = data, "application/json"
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Request.URL.String() == req.URL.String() { // not the answer of a redirect followed
		api.CheckContract(t, s.server, req, sent, res.StatusCode, res.Header, b)
	}
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

// must sends a request and fails unless the status is want.
func (s *system) must(t testing.TB, want int, token, method, path string, body any, hdr ...string) answer {
	t.Helper()
	a := s.call(t, token, method, path, body, hdr...)
	if a.status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, a.status, want, a.body)
	}
	return a
}

// after is the read-your-writes header for the answer of a command.
func after(a answer) []string { return []string{api.HeaderMinSequence, a.seq()} }

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/erasmus-ledger/grants/api"
)

// apiClient talks to a running grants serve over its HTTP API.
type apiClient struct {
	base, token string
	http        *http.Client
}

// addClientFlags declares the flags that reach a running serve.
func addClientFlags(fs *flagSet) (base, token, tokenFile *string) {
	base = fs.String("url", "http://127.0.0.1:8080", "base URL of the running grants serve")
	token = fs.String("token", "", "API token secret (prefer the environment variable to the command line)")
	tokenFile = fs.String("token-file", "", "file holding the API token secret")
	return
}

// parseForAPI parses the flags of a command that reaches a running serve's
// HTTP API (calls, rates) and returns its client; -h ends the command
// after the help (errHelp, exit status 0).
func parseForAPI(fs *flagSet, args []string, base, token, tokenFile *string) (*apiClient, error) {
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	return newAPIClient(*base, *token, *tokenFile)
}

func newAPIClient(base, token, tokenFile string) (*apiClient, error) {
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return nil, usagef("cannot read --token-file: %v", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		return nil, usagef("give a token: GRANTS_API_TOKEN, --token or --token-file (see grants token create)")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--url %q is not an http(s) URL", base)
	}
	return &apiClient{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: 60 * time.Second}}, nil
}

// do sends one request; a problem answer becomes an error naming its rule
// or field.
func (c *apiClient) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return usagef("cannot reach grants serve at %s: %v", c.base, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		var p api.Problem
		if json.Unmarshal(raw, &p) != nil || p.Detail == "" {
			return fmt.Errorf("%s %s: HTTP %d", method, path, res.StatusCode)
		}
		msg := p.Detail
		if p.Rule != "" {
			msg = p.Rule + ": " + msg
		}
		if p.Field != "" {
			msg += " (field " + p.Field + ")"
		}
		if res.StatusCode < 500 {
			return usageError{fmt.Errorf("%s", msg)}
		}
		return fmt.Errorf("%s", msg)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// signalContext is the context of a command: it ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// openOneOff opens the event store for a one-off command (through a
// running serve's listener, else the data directory) under a
// signalContext; done closes both.
func openOneOff(nf natsFlags, log *slog.Logger) (ctx context.Context, sys *system, done func(), err error) {
	ctx, stop := signalContext()
	sys, err = openSystem(ctx, nf, false, log)
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	return ctx, sys, func() { sys.Close(); stop() }, nil
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

func init() {
	subcommands["token"] = subcommand{summary: "create, list and revoke API bearer tokens (create|list|revoke)", run: runToken}
}

// tokenUsage is the help of `grants token`.
const tokenUsage = `usage:
  grants token create --role beneficiary|national-office|analyst [--org OID] [--name NAME]
  grants token list [--json]
  grants token revoke TOKEN-ID

The secret of a new token is printed once on standard output; only its
SHA-256 is stored, in the JetStream key-value bucket GRANTS_TOKENS, which
every API instance reads. While grants serve runs, the command asks it
(request grants-admin.token, as the data directory's service identity):
only grants serve may write the bucket. Flags of the event store
(--nats-url, --data-dir, --nats-nkey, ...) as for grants serve.`

// openTokens is how the token command reaches the token store: through a
// running grants serve (whose identity alone may write the bucket), or the
// bucket itself when this process runs the data directory's embedded
// server, or when no grants serve answers on an external --nats-url. Tests
// replace it.
var openTokens = func(ctx context.Context, nf natsFlags, log *slog.Logger) (tokenService, func(), error) {
	sys, err := openSystem(ctx, nf, false, log)
	if err != nil {
		return nil, nil, err
	}
	direct := func() (tokenService, error) {
		js, err := natsjs.New(sys.nc)
		if err != nil {
			return nil, err
		}
		store, err := authjs.Open(ctx, js, *nf.replicas)
		if err != nil {
			return nil, err
		}
		return auth.NewService(tokenStoreOf(sys, store), events.ClockFunc(time.Now)), nil
	}
	if sys.emb == nil {
		return &servedTokens{remote: remoteTokens{nc: sys.nc}, direct: direct}, sys.Close, nil
	}
	svc, err := direct()
	if err != nil {
		sys.Close()
		return nil, nil, err
	}
	return svc, sys.Close, nil
}

// servedTokens asks a running grants serve, or uses the bucket directly
// when none answers (an external cluster before its first grants serve).
type servedTokens struct {
	remote remoteTokens
	direct func() (tokenService, error)
}

func (s *servedTokens) fallback(err error) (tokenService, error) {
	if !errors.Is(err, errNoServe) {
		return nil, err
	}
	return s.direct()
}

// Create implements tokenService.
func (s *servedTokens) Create(ctx context.Context, req auth.CreateRequest) (auth.Token, string, error) {
	t, secret, err := s.remote.Create(ctx, req)
	if err == nil {
		return t, secret, nil
	}
	d, err := s.fallback(err)
	if err != nil {
		return auth.Token{}, "", err
	}
	return d.Create(ctx, req)
}

// List implements tokenService.
func (s *servedTokens) List(ctx context.Context) ([]auth.Token, error) {
	ts, err := s.remote.List(ctx)
	if err == nil {
		return ts, nil
	}
	d, err := s.fallback(err)
	if err != nil {
		return nil, err
	}
	return d.List(ctx)
}

// Revoke implements tokenService.
func (s *servedTokens) Revoke(ctx context.Context, id string) (auth.Token, error) {
	t, err := s.remote.Revoke(ctx, id)
	if err == nil {
		return t, nil
	}
	d, err := s.fallback(err)
	if err != nil {
		return auth.Token{}, err
	}
	return d.Revoke(ctx, id)
}

func runToken(args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(os.Stderr, tokenUsage)
		if len(args) == 0 {
			return usagef("give an action: create, list or revoke")
		}
		return nil
	}
	action, rest := args[0], args[1:]
	fs := newFlagSet("token " + action)
	nf := addNATSFlags(fs)
	var role, org, name *string
	var asJSON *bool
	var id string
	switch action {
	case "create":
		role = fs.String("role", "", "the token's role: beneficiary, national-office or analyst")
		org = fs.String("org", "", "the organisation (OID) a beneficiary token acts for")
		name = fs.String("name", "", "whose token it is (shown in the audit history)")
	case "list":
		asJSON = fs.Bool("json", false, "print JSON instead of a table")
	case "revoke":
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			id, rest = rest[0], rest[1:]
		}
	default:
		return usagef("unknown action %q: use create, list or revoke", action)
	}
	if err := fs.parse(rest); err != nil {
		if err == errHelp {
			return nil
		}
		return err
	}
	if action == "revoke" && id == "" {
		return usagef("give the ID of the token to revoke (see grants token list)")
	}
	if action == "create" && *role == "" {
		return usagef("--role is required: beneficiary, national-office or analyst")
	}
	log, err := newLogger("text", "warn")
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	svc, closeFn, err := openTokens(ctx, nf, log)
	if err != nil {
		return err
	}
	defer closeFn()
	switch action {
	case "create":
		return tokenCreate(ctx, svc, auth.CreateRequest{Role: *role, Org: *org, Name: *name}, os.Stdout, os.Stderr)
	case "list":
		return tokenList(ctx, svc, *asJSON, os.Stdout)
	default:
		return tokenRevoke(ctx, svc, id, os.Stdout)
	}
}

// tokenCreate makes a token and prints its secret once.
func tokenCreate(ctx context.Context, svc tokenService, req auth.CreateRequest, out, info io.Writer) error {
	t, secret, err := svc.Create(ctx, req)
	if err != nil {
		return userError(err)
	}
	fmt.Fprintln(out, secret)
	who := t.Role
	if t.Org != "" {
		who += " of " + t.Org
	}
	fmt.Fprintf(info, "created token %s (%s). The secret above is shown only now; keep it safe.\nUse it as: Authorization: Bearer <secret>\n", t.ID, who)
	return nil
}

// tokenList prints every token, never a secret (there is none to print).
func tokenList(ctx context.Context, svc tokenService, asJSON bool, out io.Writer) error {
	ts, err := svc.List(ctx)
	if err != nil {
		return userError(err)
	}
	if asJSON {
		if ts == nil {
			ts = []auth.Token{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(ts)
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tORG\tCREATED\tREVOKED")
	for _, t := range ts {
		revoked := "-"
		if t.Revoked() {
			revoked = t.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, dash(t.Name), t.Role, dash(t.Org), t.CreatedAt.Format(time.RFC3339), revoked)
	}
	return w.Flush()
}

// tokenRevoke revokes a token by ID.
func tokenRevoke(ctx context.Context, svc tokenService, id string, out io.Writer) error {
	t, err := svc.Revoke(ctx, id)
	if err != nil {
		return userError(err)
	}
	fmt.Fprintf(out, "token %s revoked at %s\n", t.ID, t.RevokedAt.Format(time.RFC3339))
	return nil
}

// userError makes invalid input (a role or organisation the flags name
// wrongly) a usage error (exit 2); an unknown token is a runtime failure
// (exit 1), as the command line itself was well formed.
func userError(err error) error {
	if apperr.CodeOf(err) == apperr.Invalid {
		return usageError{err}
	}
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

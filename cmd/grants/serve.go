package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/internal/logbuf"
	"github.com/erasmus-ledger/grants/projections/sqlite"
	leasejs "github.com/erasmus-ledger/grants/schedule/jetstream"
)

func init() {
	subcommands["serve"] = subcommand{summary: "start the whole system: event store, projections, HTTP API", run: runServe}
}

// serveConfig is everything `grants serve` is told.
type serveConfig struct {
	nats          natsFlags
	db            *string
	http          *string
	ratesFile     *string
	ka122Window   *int
	cacheMB       *int
	readCacheMB   *int
	deadlines     *string
	logFormat     *string
	logLevel      *string
	maxBody       *int
	ratePerSecond *int
	shutdown      *time.Duration
	checkpoints   *time.Duration
	checkpointTTL *time.Duration
	tail          *time.Duration
	holesAfter    *time.Duration
	sessionIdle   *time.Duration
	sessionMax    *time.Duration
	metricsToken  *string
	acceptLoss    *bool
	debugAddr     *string
	memoryLimitMB *int
	// memoryBudgetMB is the resident memory Go's soft limit follows.
	memoryBudgetMB *int
	// rebuildLimitMB is Go's soft memory limit while the read models
	// catch up by a bulk rebuild (a new disk, or far behind the stream).
	rebuildLimitMB *int
	gcPercent      *int
	deadlineRun    deadlineFlags
	personal       personalFlags
}

func serveFlags(fs *flagSet) serveConfig {
	return serveConfig{
		nats:           addNATSFlags(fs),
		db:             fs.String("db", "", "projection database file (default <data-dir>/grants.db)"),
		http:           fs.String("http", "127.0.0.1:8080", "HTTP API listen address (:0 picks a free port)"),
		ratesFile:      fs.String("rates-file", "", "rates table JSON overriding the embedded one (call years it names replace the defaults)"),
		deadlines:      fs.String("deadlines-file", "", "call deadline table (JSON list of {call_year, round, actions, day}); the call years it names replace the built-in rows"),
		ka122Window:    fs.Int("ka122-window-years", 0, "KA122-MAX-PROJECTS window: 0 = the programme period (seed), 5 = any 5 consecutive call years (Programme Guide)"),
		cacheMB:        fs.Int("command-cache-mb", command.DefaultCacheBytes>>20, "approximate memory (MiB) of the organisations' decided state the command handler keeps, least recently used first out (at least 1)"),
		readCacheMB:    fs.Int("read-cache-mb", api.DefaultReadCacheBytes>>20, "memory (MiB) of the rendered project statuses and mobility pages the API keeps, each until its project changes (0: no cache)"),
		logFormat:      fs.String("log-format", "json", "log format: json or text"),
		logLevel:       fs.String("log-level", "info", "log level: debug, info, warn or error"),
		maxBody:        fs.Int("max-body-bytes", 1<<20, "largest JSON request body accepted"),
		ratePerSecond:  fs.Int("rate-limit", 0, "requests per second allowed per token (0: unlimited)"),
		shutdown:       fs.Duration("shutdown-timeout", 15*time.Second, "how long in-flight requests may finish on shutdown"),
		checkpoints:    fs.Duration("checkpoint-interval", time.Hour, "how often the service verifies the new events and writes a signed checkpoint of every chain's head (0: only at start)"),
		checkpointTTL:  fs.Duration("checkpoint-lease-ttl", 90*time.Second, "the checkpoint lease (one instance of a cluster verifies and writes the checkpoints) expires this long after its holder last renewed it (renewed every third of it); another instance then takes over"),
		tail:           fs.Duration("checkpoint-tail", defaultCheckpointTail, "how often, between two verifications of the whole stream, the service verifies the events written since the last one it read and writes a signed checkpoint of them, so that a restart checks few signatures again (0: never)"),
		holesAfter:     fs.Duration("hole-check-delay", guardStartDelay, "how long after the read models have caught up the service scans the stream once for records NATS dropped (an ERROR names each run of missing sequences): the scan reads every record, so the first minute is left to a cold catch-up and the requests"),
		sessionIdle:    fs.Duration("session-idle", auth.DefaultSessionIdle, "a web session unused this long ends"),
		sessionMax:     fs.Duration("session-max", auth.DefaultSessionMax, "a web session ends this long after sign-in, used or not"),
		metricsToken:   fs.String("metrics-token-file", "", "file holding a bearer secret that may read /metrics and nothing else (else /metrics needs a national-office token)"),
		deadlineRun:    addDeadlineFlags(fs),
		personal:       addPersonalFlags(fs),
		memoryLimitMB:  fs.Int("memory-limit-mb", defaultMemoryLimitMiB, "soft memory limit of the Go heap in MiB (the runtime collects garbage harder near it; it never fails a request), the least --memory-budget-mb sets; 0 leaves Go's own, GOMEMLIMIT, and no budget"),
		memoryBudgetMB: fs.Int("memory-budget-mb", defaultMemoryBudgetMiB, "resident memory in MiB the process aims at: every second Go's soft limit is set to it less what the rest of the process holds (SQLite's page caches, the binary's pages), never below --memory-limit-mb; 0 (or a budget not above --memory-limit-mb) keeps --memory-limit-mb fixed"),
		rebuildLimitMB: fs.Int("rebuild-memory-limit-mb", 4096, "soft memory limit of the Go heap in MiB while the read models catch up by a bulk rebuild (an empty or far-behind --data-dir): a cold catch-up held to --memory-limit-mb collects garbage without pause and takes over twice as long; 0 keeps --memory-limit-mb then too"),
		gcPercent:      fs.Int("gc-percent", defaultGCPercent, "Go's GOGC: how far (per cent of the live heap) the heap grows before a collection, always within --memory-limit-mb; higher spends less CPU collecting; 0 leaves Go's own (GOGC, else 100)"),
		debugAddr:      fs.String("debug-addr", "", "serve Go's profiler (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060 (empty: off)"),
		acceptLoss:     fs.Bool("accept-stream-loss", false, "start even though the event stream ends before the read models' checkpoint (deleted or truncated): the old read models are kept aside as <db>.kept-stream-lost-<time> and rebuilt from what the stream holds"),
	}
}

func runServe(args []string) error {
	fs := newFlagSet("serve")
	cfg := serveFlags(fs)
	if err := fs.parse(args); err != nil {
		return err
	}
	// The log is written in batches: the access log's line per request
	// waits up to logbuf.DefaultDelay (one write to stderr per request was
	// a tenth of a read's CPU); any other line goes out at once. Closed
	// last, after the HTTP server's shutdown: no line is lost at a clean
	// stop.
	logw := logbuf.NewWriter(os.Stderr, logbuf.DefaultDelay)
	defer logw.Close()
	plain, err := newLoggerTo(logw, *cfg.logFormat, *cfg.logLevel)
	if err != nil {
		return err
	}
	log := slog.New(logbuf.NewHandler(plain.Handler(), logw))
	if _, _, err := net.SplitHostPort(*cfg.http); err != nil {
		return usagef("--http %q: want host:port, e.g. 127.0.0.1:8080 or :0", *cfg.http)
	}
	if *cfg.sessionIdle <= 0 || *cfg.sessionMax < *cfg.sessionIdle {
		return usagef("--session-idle %v, --session-max %v: want 0 < idle <= max", *cfg.sessionIdle, *cfg.sessionMax)
	}
	metricsToken, err := readMetricsToken(*cfg.metricsToken)
	if err != nil {
		return err
	}
	if *cfg.readCacheMB < 0 {
		return usagef("--read-cache-mb %d: must be 0 (no cache) or more", *cfg.readCacheMB)
	}
	if *cfg.cacheMB < 1 {
		return usagef("--command-cache-mb %d: must be at least 1", *cfg.cacheMB)
	}
	if *cfg.memoryLimitMB < 0 {
		return usagef("--memory-limit-mb %d: must be 0 (Go's own) or more", *cfg.memoryLimitMB)
	}
	if *cfg.memoryBudgetMB < 0 {
		return usagef("--memory-budget-mb %d: must be 0 (a fixed --memory-limit-mb) or more", *cfg.memoryBudgetMB)
	}
	if *cfg.gcPercent < 0 {
		return usagef("--gc-percent %d: must be 0 (Go's own) or more", *cfg.gcPercent)
	}
	if *cfg.rebuildLimitMB < 0 {
		return usagef("--rebuild-memory-limit-mb %d: must be 0 (keep --memory-limit-mb) or more", *cfg.rebuildLimitMB)
	}
	setMemoryLimit(*cfg.memoryLimitMB, log)
	setGCPercent(*cfg.gcPercent, log)
	if *cfg.ka122Window < 0 || *cfg.ka122Window > 7 {
		return usagef("--ka122-window-years %d: want 0 (programme period) to 7", *cfg.ka122Window)
	}
	book, err := loadRates(*cfg.ratesFile)
	if err != nil {
		return err
	}
	deadlines, err := loadDeadlines(*cfg.deadlines)
	if err != nil {
		return err
	}
	dbPath := *cfg.db
	if dbPath == "" {
		dbPath = filepath.Join(*cfg.nats.dataDir, "grants.db")
	}
	stopDebug, err := startDebugServer(*cfg.debugAddr, log)
	if err != nil {
		return err
	}
	defer stopDebug()
	ln, err := net.Listen("tcp", *cfg.http)
	if err != nil {
		return listenError("--http", *cfg.http, err)
	}
	defer ln.Close()

	ctx, stop := signalContext()
	defer stop()
	sys, err := openSystem(ctx, cfg.nats, true, log)
	if err != nil {
		return err
	}
	defer sys.Close()
	if err := checkDataDir(filepath.Dir(dbPath)); err != nil {
		return err
	}

	js, err := natsjs.New(sys.nc)
	if err != nil {
		return err
	}
	// The read models keep the sealed blocks sealed (a participant is
	// opened when shown): no key is loaded at start, and only those in use
	// are kept, so neither the start nor memory grows with the participants.
	vault, keys, closeVault, err := openVault(ctx, cfg.personal, *cfg.nats.dataDir, js, *cfg.nats.replicas, piijs.CachedKeys)
	if err != nil {
		return err
	}
	defer closeVault()
	if sys.srv != nil && sys.durability == jetstream.DurabilityFsync {
		// A key is on disk before the event it seals is acknowledged;
		// the keys of concurrent commands share one fsync.
		syncer, closeSyncer := jetstream.NewGroupSyncer(sys.srv, piijs.KeysStream)
		defer closeSyncer()
		bucketSyncer, closeBucketSyncer := jetstream.NewGroupSyncer(sys.srv, piijs.StreamName)
		defer closeBucketSyncer()
		keys.SetSyncer(syncer, bucketSyncer)
		// A new participant takes a key made durable ahead, in bulk:
		// its report waits for the event's fsync round alone; the
		// bindings follow behind the events (piijs.StartPool).
		if err := keys.StartPool(ctx, piijs.PoolConfig{NewKey: vault.NewPoolKey, Acked: sys.store.Acked, Scan: sealedBlocksFrom(sys.store), Logger: log}); err != nil {
			return fmt.Errorf("starting the pool of personal-data keys: %w", err)
		}
		defer keys.StopPool()
	}

	clock := events.ClockFunc(time.Now)
	reg := aggregates.Registry()
	handler := command.New(sys.store, aggregates.NewDomain(book, aggregates.Policy{KA122WindowYears: *cfg.ka122Window, Deadlines: deadlines}), reg, clock,
		command.Config{Logger: log, KeyRing: sys.ring, Sealer: personal.Sealer{Vault: vault}, OwnSignatures: ownSignatures(sys.signer), CacheBytes: int64(*cfg.cacheMB) << 20})

	readModels, err := sqlite.OpenManager(ctx, sqlite.ManagerConfig{Path: dbPath, Source: sys.store, Registry: reg, Logger: log, AcceptStreamLoss: *cfg.acceptLoss, KeyRing: sys.ring, Vault: vault,
		OwnSignatures: ownSignatures(sys.signer), RebuildMemoryLimit: rebuildMemoryLimit(*cfg.rebuildLimitMB)})
	if err != nil {
		return fmt.Errorf("opening the read models %s: %w", dbPath, err)
	}
	defer readModels.Close()
	if *cfg.memoryLimitMB > 0 && *cfg.memoryBudgetMB > *cfg.memoryLimitMB {
		// Followed once the read models caught up: a bulk rebuild
		// sets its own limit while it runs (--rebuild-memory-limit-mb).
		go newMemoryBudget(*cfg.memoryBudgetMB, *cfg.memoryLimitMB).run(ctx, log)
	}

	tokenStore, err := authjs.Open(ctx, js, *cfg.nats.replicas)
	if err != nil {
		return fmt.Errorf("opening the token bucket: %w", err)
	}
	// Requests authenticate from memory; the watch brings every change
	// (a revocation on any instance) as the server stores it. On an
	// external NATS, other instances may share the buckets: a token is
	// then trusted from memory only once the watch has reached the
	// bucket's state at the request (one shared round trip to the leader),
	// and sessions are read from the leader, so that a revocation or a
	// sign-out through one instance holds on every instance at once.
	if sys.emb == nil {
		tokenStore.SetShared()
	}
	if err := tokenStore.Watch(ctx); err != nil {
		return fmt.Errorf("watching the token bucket: %w", err)
	}
	sessionStore, err := authjs.OpenSessions(ctx, js, *cfg.nats.replicas, *cfg.sessionMax)
	if err != nil {
		return fmt.Errorf("opening the session bucket: %w", err)
	}
	if sys.emb == nil {
		sessionStore.SetShared()
	}
	if sys.emb == nil {
		if err := waitBucketsAnswer(ctx, js, log, jetstream.IDsBucket, authjs.Bucket, authjs.SessionBucket, piijs.Bucket); err != nil {
			return err
		}
	}
	tokens := auth.NewService(tokenStoreOf(sys, tokenStore), clock)
	ready := func(ctx context.Context) error {
		if err := sys.store.Ready(ctx); err != nil {
			return err
		}
		if err := readModels.Err(); err != nil {
			return err
		}
		last, err := sys.store.LastSequence(ctx)
		if err != nil {
			return err
		}
		if cp := readModels.Checkpoint(); cp < last {
			// The events after the checkpoint may be records NATS dropped
			// (reported at start): only a stored one is waited for.
			if next, found, err := sys.store.NextSequence(ctx, cp+1); err != nil || (found && next <= last) {
				return api.CatchingUp{Checkpoint: cp, Last: last}
			}
		}
		return nil
	}
	srv, err := api.New(api.Deps{
		Commands: handler, Reader: readModels, Tokens: tokens, MetricsToken: metricsToken,
		Sessions: tokens.Sessions(sessionStore, auth.SessionConfig{Idle: *cfg.sessionIdle, Max: *cfg.sessionMax}),
		Rates:    book, Ready: ready, LastSequence: sys.store.LastSequence,
		Verify: verifyLedger(sys), KeyRing: sys.ring, Quarantine: readModels.Quarantine,
		Events: sys.store, Personal: vault, HistoryAt: historyAt(sys, filepath.Dir(dbPath)),
		Clock: clock, Logger: log, MaxBodyBytes: int64(*cfg.maxBody), RatePerSecond: float64(*cfg.ratePerSecond), Burst: max(1, 2**cfg.ratePerSecond),
		ReadCacheBytes: readCacheBytes(*cfg.readCacheMB),
	})
	if err != nil {
		return err
	}
	if *cfg.checkpointTTL < time.Second {
		return usagef("--checkpoint-lease-ttl %v: want at least 1s", *cfg.checkpointTTL)
	}
	leases, err := leasejs.OpenBucket(ctx, js, *cfg.nats.replicas, *cfg.checkpointTTL)
	if err != nil {
		return err
	}
	stopGuard := startGuard(ctx, sys, guardConfig{
		interval: *cfg.checkpoints, tail: *cfg.tail,
		lease: leasejs.New(leases, "checkpoints", holderName()), renew: *cfg.checkpointTTL / 3,
		headsFile: filepath.Join(*cfg.nats.dataDir, keptHeadsFile),
	}, log, readModels)
	defer stopGuard()
	stopAdmin, err := serveAdmin(ctx, sys, readModels, log)
	if err != nil {
		return err
	}
	defer stopAdmin()
	stopTokenAdmin, err := serveTokenAdmin(sys.nc, tokens, log)
	if err != nil {
		return err
	}
	defer stopTokenAdmin()
	stopCheckpointAdmin, err := serveCheckpointAdmin(ctx, sys, log)
	if err != nil {
		return err
	}
	defer stopCheckpointAdmin()
	stopDiscloseAdmin, err := serveDiscloseAdmin(sys.nc, handler, log)
	if err != nil {
		return err
	}
	defer stopDiscloseAdmin()
	stopOpenAdmin, err := serveOpenAdmin(sys.nc, sys.store, vault, clock.Now, log)
	if err != nil {
		return err
	}
	defer stopOpenAdmin()

	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	attrs := []any{"http", ln.Addr().String(), "db", readModels.Path()}
	if sys.srv != nil {
		attrs = append(attrs, "nats", natsListenInfo(sys), "durability", sys.durability.String(),
			"nats_service_identity", filepath.Join(*cfg.nats.dataDir, serviceSeedFile),
			"nats_reader_identity", filepath.Join(*cfg.nats.dataDir, readerSeedFile))
	} else {
		attrs = append(attrs, "nats", redactURLs(*cfg.nats.natsURL), "replicas", *cfg.nats.replicas)
	}
	stopDeadlines, err := startDeadlines(ctx, cfg.deadlineRun, js, *cfg.nats.replicas, readModels, handler, clock, log)
	if err != nil {
		return err
	}
	defer stopDeadlines()
	stopRetention, err := startRetention(ctx, cfg.personal, js, *cfg.nats.replicas, readModels, handler, clock, log)
	if err != nil {
		return err
	}
	defer stopRetention()
	log.Info("grants serve ready", attrs...)
	go func() {
		// The scan reads every record of the stream: like the guard's
		// verification it waits for the catch-up and the first minute,
		// which belong to the read models' rebuild and the requests
		// (beside a cold catch-up of a million events it made serve's
		// 41 % slower than grants replay's).
		waitCaughtUp(ctx, sys, readModels)
		if sleepCtx(ctx, *cfg.holesAfter) == nil {
			reportHoles(ctx, sys.store, log)
		}
	}()

	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("HTTP server: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), *cfg.shutdown)
	defer cancel()
	if err := httpSrv.Shutdown(sctx); err != nil {
		log.Warn("HTTP shutdown", "err", err)
	}
	// No more commands: a last tail checkpoint covers their events.
	stopGuard()
	return nil
}

// readMetricsToken reads the metrics bearer secret from path ("" = none).
func readMetricsToken(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--metrics-token-file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 24 || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("--metrics-token-file %s: want one secret of at least 24 characters without spaces", path)
	}
	return tok, nil
}

// loadRates returns the embedded rates book, overridden by a file if given.
func loadRates(path string) (*rates.Book, error) {
	book, err := rates.Default()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return book, nil
	}
	over, err := rates.LoadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--rates-file: %w", err)
	}
	return book.Override(over), nil
}

// loadDeadlines returns the built-in call deadlines with the call years of
// the file, if given, replaced by the file's rows.
func loadDeadlines(path string) ([]aggregates.Deadline, error) {
	table := aggregates.DefaultDeadlines()
	if path == "" {
		return table, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--deadlines-file: %w", err)
	}
	rows, err := aggregates.ParseDeadlines(data)
	if err != nil {
		return nil, fmt.Errorf("--deadlines-file %s: %w", path, err)
	}
	years := map[int]bool{}
	for _, r := range rows {
		years[r.CallYear] = true
	}
	out := rows
	for _, d := range table {
		if !years[d.CallYear] {
			out = append(out, d)
		}
	}
	return out, nil
}

// natsListenInfo says where the embedded NATS server can be reached.
func natsListenInfo(sys *system) string {
	if addr := sys.srv.Addr(); addr != nil {
		return "nats://" + addr.String()
	}
	return "in-process only"
}

// readCacheBytes is --read-cache-mb as api.Deps.ReadCacheBytes (0: none).
func readCacheBytes(mb int) int64 {
	if mb == 0 {
		return -1
	}
	return int64(mb) << 20
}

// redactURLs is a comma-separated URL list without any user or password
// the URLs carry, for the log.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		if u, err := url.Parse(strings.TrimSpace(p)); err == nil && u.User != nil {
			u.User = nil
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}

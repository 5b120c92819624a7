package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events"
	grantsjs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/jetstream/jsbench"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/history"
	"github.com/erasmus-ledger/grants/internal/httpbench"
	"github.com/erasmus-ledger/grants/projections/sqlite/sqlitebench"
)

func init() {
	subcommands["bench"] = subcommand{summary: "measure the event store and the replay beside raw JetStream and SQLite rates", run: runBench}
}

func runBench(args []string) error {
	fs := newFlagSet("bench")
	dir := fs.String("bench-dir", "", "scratch directory (default: a new temporary directory, removed afterwards)")
	writers := fs.Int("writers", 16, "concurrent writers, each on its own aggregate")
	appendEvents := fs.Int("append-events", 200000, "events appended by each side of the append benchmark")
	readEvents := fs.Int("read-events", 200000, "events of the read benchmark")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the replay runs to this file")
	replayEvents := fs.Int("replay-events", 1000000, "events of the generated history the replay benchmark rebuilds (0 skips it)")
	replayRuns := fs.Int("replay-runs", 5, "times the replay benchmark measures the raw rates and the replay; the median run is judged")
	sealPD := fs.Bool("seal", true, "seal the personal data of the replay's generated history as grants serve does (PD-SEALED); false measures the appends and the replay without sealing")
	httpOnly := fs.Bool("http", false, "run only the HTTP benchmark: the real grants serve driven over keep-alive connections beside raw JetStream publish and GET /healthz")
	withHTTP := fs.Bool("with-http", false, "run the HTTP benchmark after the others")
	scenarios := fs.String("scenarios", "all", "HTTP benchmark scenarios, comma-separated: all or "+strings.Join(httpScenarios, ", "))
	duration := fs.Duration("duration", 5*time.Second, "HTTP benchmark: how long each measurement runs")
	conns := fs.Int("conns", 32, "HTTP benchmark: keep-alive connections (and raw publishers)")
	bigOrgs := fs.Int("orgs", 25000, "HTTP benchmark: organisations in the ledger of the second submit-application measurement (the first has 100)")
	manyMobs := fs.Int("many-mobilities", 1000, "HTTP benchmark: mobilities of the large projects (the small ones have 10 and 30)")
	httpRuns := fs.Int("runs", 1, "HTTP benchmark: times each measurement runs in a row; the median run is judged and min/median/max are printed")
	memCommands := fs.Int("memory-commands", 1_000_000, "HTTP benchmark: commands the memory scenario sends, reading the server's resident memory as it goes")
	catchupEvents := fs.Int("catchup-events", 1_000_000, "HTTP benchmark: events of the generated history the catch-up scenario builds read models from, in grants serve and in grants replay")
	cluster := fs.Bool("cluster", false, "run only the cluster benchmark: a three-node JetStream cluster (nats-server processes on loopback), raw R3 publish, then report-mobility through 1 and --cluster-instances grants serve instances (--duration, --conns, --runs)")
	clusterInstances := fs.Int("cluster-instances", 3, "cluster benchmark: API instances of the second measurement")
	genProcs := fs.Int("generator-procs", 1, "HTTP benchmark: GOMAXPROCS of the load generator while it drives the server (0: this process's own): each generator thread that runs takes one of the cores the server shares with it; the raw JetStream baselines are not bound")
	serveListen := fs.String("serve-nats-listen", "off", "HTTP benchmark: --nats-listen of the grants serve it starts: off (in-process only) or host:port (port 0: a free one), as grants serve listens by default (its own stream reads then go over loopback TCP, as grants replay's do)")
	serverBin := fs.String("server-bin", "", "HTTP benchmark: the grants binary the server runs as (default: this one), to compare two builds under the same load generator")
	if err := fs.parse(args); err != nil {
		return err
	}
	on, err := parseScenarios(*scenarios)
	if err != nil {
		return err
	}
	if *genProcs < 0 {
		return usagef("--generator-procs %d: must be 0 (unbound) or more", *genProcs)
	}
	httpbench.SetGeneratorProcs(*genProcs)
	if *duration <= 0 || *conns < 1 || *bigOrgs < 100 || *memCommands < 1 || *catchupEvents < 1 || *manyMobs < 1 || *httpRuns < 1 {
		return usagef("--duration, --conns, --runs, --many-mobilities, --memory-commands and --catchup-events must be positive and --orgs at least 100")
	}
	if _, _, err := listenAddr(*serveListen); err != nil {
		return err
	}
	hb := &httpBench{natsListen: *serveListen, scenarios: on, duration: *duration, conns: *conns, bigOrgs: *bigOrgs, manyMobilities: *manyMobs, memoryCommands: *memCommands, catchupEvents: *catchupEvents, runs: *httpRuns, out: os.Stdout}
	if *writers < 1 || *appendEvents < *writers || *readEvents < 1 || *replayEvents < 0 || *replayRuns < 1 {
		return usagef("--writers, --append-events, --read-events and --replay-runs must be positive, with at least one event per writer")
	}
	ctx, stop := signalContext()
	defer stop()
	scratch := *dir
	if scratch == "" {
		d, err := os.MkdirTemp("", "grants-bench-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		scratch = d
	} else if err := checkDataDir(scratch); err != nil {
		return err
	}
	fmt.Printf("grants bench on %d cores, scratch %s\n\n", coresOf(), scratch)
	if *clusterInstances < 1 {
		return usagef("--cluster-instances %d: want at least 1", *clusterInstances)
	}
	if *httpOnly || *withHTTP || *cluster {
		if hb.bin, err = os.Executable(); err != nil {
			return err
		}
		if *serverBin != "" {
			hb.bin = *serverBin
		}
	}
	if *cluster {
		return runClusterBench(ctx, filepath.Join(scratch, "cluster"), hb, *clusterInstances)
	}
	if *httpOnly {
		return runHTTPBench(ctx, filepath.Join(scratch, "http"), hb)
	}

	ar, err := jsbench.Append(ctx, jsbench.Config{Dir: filepath.Join(scratch, "append"), Writers: *writers, Events: *appendEvents})
	if err != nil {
		return fmt.Errorf("append benchmark: %w", err)
	}
	fmt.Printf("%s\n  target: Append >= 60%% of raw publish (both not power-cut safe): %s\n", ar, verdict(ar.Ratio >= 0.60))
	fmt.Printf("  target: durable Append (the default) at least as fast as raw publish with sync_interval always: %s\n\n", verdict(ar.DurableRatio >= 1))

	rr, err := jsbench.Read(ctx, jsbench.Config{Dir: filepath.Join(scratch, "read"), Events: *readEvents})
	if err != nil {
		return fmt.Errorf("read benchmark: %w", err)
	}
	fmt.Printf("%s\n\n", rr)

	if *replayEvents > 0 {
		if err := benchReplay(ctx, filepath.Join(scratch, "replay"), *replayEvents, *replayRuns, *cpuProfile, *sealPD); err != nil {
			return err
		}
	}
	if *withHTTP {
		fmt.Println()
		return runHTTPBench(ctx, filepath.Join(scratch, "http"), hb)
	}
	return nil
}

// benchReplay generates a realistic history and rebuilds the read models
// from it, printing the replay rate beside the raw ordered-consumer read
// rate and the raw SQLite insert rate measured in the same run.
func benchReplay(ctx context.Context, dir string, n, runs int, cpuProfile string, sealPD bool) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	// Stream reads go over TCP loopback, as in grants serve and replay.
	// The generated history is scratch data, flushed once below: it is
	// written without waiting for fsync.
	ecfg := grantsjs.EmbeddedConfig{StoreDir: filepath.Join(dir, "nats"), Host: "127.0.0.1", Port: -1, Durability: grantsjs.DurabilityOSFlush}
	// A one-second duplicate window: with the default two minutes the
	// server would restart holding the message ID of every generated
	// event in its deduplication map (a ledger's real history is written
	// over years, not in the last two minutes), and the collector would
	// mark that map all through the replay.
	scfg := grantsjs.Config{DuplicateWindow: time.Second}
	// The history is signed as the service signs it, with a throwaway key.
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	signer := events.NewEd25519Signer(priv)
	scfg.Signer = signer
	ring := events.NewKeyRing([]ed25519.PublicKey{signer.Public()}, nil)
	emb, err := grantsjs.OpenEmbedded(ctx, ecfg, aggregates.Registry(), scfg)
	if err != nil {
		return err
	}
	// The history's personal data is sealed as grants serve seals it
	// (PD-SEALED): keys in the JetStream bucket, wrapped by a master key.
	master := make([]byte, pii.KeySize)
	if _, err := rand.Read(master); err != nil {
		return err
	}
	vault, closeVault, err := benchVault(ctx, emb, master)
	if err != nil {
		emb.Close()
		return err
	}
	seal := &sealTimer{s: personal.Sealer{Vault: vault}, off: !sealPD}
	start := time.Now()
	written, err := history.Generate(ctx, emb.Store, history.Config{Events: n, Seed: 2021, Start: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Seal: seal.seal})
	if err == nil {
		// The service checkpoints its history; the replay authenticates
		// the events the newest checkpoint covers by their chains.
		err = benchCheckpoint(ctx, emb.Store, signer)
	}
	closeVault()
	emb.Close()
	if err != nil {
		return fmt.Errorf("generating the history: %w", err)
	}
	took := time.Since(start)
	fmt.Printf("generated a history of %d events in %s (%.0f events/s, 32 writers)\n%s\n",
		written, took.Round(time.Millisecond), float64(written)/took.Seconds(), seal.report(took))
	// A replay reads a stream written before, not one still being
	// flushed: write the generated history out and start the server
	// again on it, as grants replay does.
	syscall.Sync()
	time.Sleep(scfg.DuplicateWindow)
	runtime.GC()
	if emb, err = grantsjs.OpenEmbedded(ctx, ecfg, aggregates.Registry(), scfg); err != nil {
		return err
	}
	defer emb.Close()
	keysStart := time.Now()
	if vault, closeVault, err = benchVault(ctx, emb, master); err != nil {
		return err
	}
	defer closeVault()
	// grants serve opens the subject keys bounded (it seals new
	// participants' data and opens a participant's to show it); its read
	// models keep the blocks sealed, so the replay below opens none.
	fmt.Printf("  subject keys (GRANTS_PII_SUBJECT_KEYS, GRANTS_PII_KEYS) opened bounded in %s\n", time.Since(keysStart).Round(time.Millisecond))

	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// This machine's speed drifts by a quarter from one minute to the
	// next: every run measures the raw read rate just before and just
	// after its replay (the replay is compared with their mean), and the
	// run with the median replay is the one judged.
	results := make([]replayRun, 0, runs)
	for i := 0; i < runs; i++ {
		before, err := rawReadRate(ctx, emb.Stream)
		if err != nil {
			return err
		}
		res, err := sqlitebench.ReplayOpening(ctx, emb.Store, dir, ring, vault)
		if err != nil {
			return fmt.Errorf("replay benchmark: %w", err)
		}
		after, err := rawReadRate(ctx, emb.Stream)
		if err != nil {
			return err
		}
		// The mean rate of the two reads: events over their total time.
		raw := 2 / (1/before + 1/after)
		r := replayRun{res: res, raw: raw, rawBefore: before, rawAfter: after}
		fmt.Printf("replay run %d of %d: %s\n", i+1, runs, r)
		results = append(results, r)
	}
	// The run with the median replay time is shown; the ratio is judged
	// on the median of the runs' ratios (each against its own raw rates).
	ratios := make([]float64, len(results))
	for i, r := range results {
		ratios[i] = r.ratio()
	}
	sort.Float64s(ratios)
	sort.Slice(results, func(i, j int) bool { return results[i].res.ReplayDuration < results[j].res.ReplayDuration })
	med, ratio := results[len(results)/2], ratios[len(ratios)/2]
	res := med.res
	fmt.Printf("\nmedian run:\n%s\n  raw ordered consumer (no decode):  %10.0f events/s (mean of %.0f before and %.0f after the replay)\n", res, med.raw, med.rawBefore, med.rawAfter)
	fmt.Printf("  replay / slower of (raw read, raw insert): %.1f%% (median of the runs: %.1f%%)\n", 100*med.ratio(), 100*ratio)
	// 1 000 000 events in under 10 s is a rate of at least 100 000 events/s.
	fmt.Printf("  target: 1 000 000 events in under 10 s (>= 100 000 events/s): %s (%d events in %.1f s)\n",
		verdict(res.ReplayRate >= 100000), res.Events, res.ReplayDuration.Seconds())
	fmt.Printf("  target: at least 40%% of the slower raw rate (median of the runs): %s\n", verdict(ratio >= 0.4))
	// The cost of the participants table and what an analyst waits for:
	// one rebuild of an analyst's file (grants replay --out, pseudonymous,
	// no participants row, PD-EXPORT-PSEUDONYMOUS).
	analyst, held, err := sqlitebench.ReplayAnalyst(ctx, emb.Store, dir, ring)
	if err != nil {
		return fmt.Errorf("replay benchmark of an analyst's file: %w", err)
	}
	fmt.Printf("  an analyst's file (grants replay --out, pseudonymous, no participant rows): %d events in %.1f s (%.0f events/s); the median replay, keeping the sealed blocks in participants: %.1f s, %+.1f%% (PD-SEALED)\n",
		held, analyst.Seconds(), float64(held)/analyst.Seconds(), res.ReplayDuration.Seconds(), 100*(res.ReplayDuration.Seconds()/analyst.Seconds()-1))
	return benchExport(ctx, emb.Store, dir)
}

// benchCheckpoint writes a signed checkpoint over the heads of the
// generated history, as grants serve writes them.
func benchCheckpoint(ctx context.Context, store *grantsjs.Store, signer events.Signer) error {
	heads := map[string]events.ChainHead{}
	var last uint64
	err := store.Events(ctx, 0, 0, func(e events.Envelope) error {
		heads[e.Ref.Subject()] = events.ChainHead{Subject: e.Ref.Subject(), Version: e.Version, Sequence: e.Sequence, Hash: e.Hash}
		last = e.Sequence
		return nil
	})
	if err != nil {
		return err
	}
	list := make([]events.ChainHead, 0, len(heads))
	for _, h := range heads {
		list = append(list, h)
	}
	_, err = store.WriteCheckpoint(ctx, events.NewCheckpoint(last, list, nil, time.Now(), signer))
	return err
}

// replayRun is one measurement of the replay benchmark.
type replayRun struct {
	res sqlitebench.ReplayResult
	// raw is the raw ordered-consumer read rate (no decoding) the run is
	// judged against: the mean of rawBefore and rawAfter, measured just
	// before and just after the replay.
	raw, rawBefore, rawAfter float64
}

// ratio is the replay rate over the slower of the run's raw rates.
func (r replayRun) ratio() float64 { return r.res.ReplayRate / min(r.raw, r.res.SQLiteRate) }

// String renders the run on one line.
func (r replayRun) String() string {
	return fmt.Sprintf("replay %.1f s (%.0f events/s); raw read %.0f events/s (%.0f before, %.0f after), raw insert %.0f rows/s; replay / slower raw %.1f%%",
		r.res.ReplayDuration.Seconds(), r.res.ReplayRate, r.raw, r.rawBefore, r.rawAfter, r.res.SQLiteRate, 100*r.ratio())
}

// rawReadRate reads the whole GRANTS stream through an ordered consumer
// without decoding anything.
func rawReadRate(ctx context.Context, nc *nats.Conn) (float64, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return 0, err
	}
	stream, err := js.Stream(ctx, grantsjs.StreamName)
	if err != nil {
		return 0, err
	}
	info, err := stream.Info(ctx)
	if err != nil {
		return 0, err
	}
	last := info.State.LastSeq
	start := time.Now()
	if err := jsbench.RawRead(ctx, stream, 1, last); err != nil {
		return 0, err
	}
	return float64(last) / time.Since(start).Seconds(), nil
}

func coresOf() int { return runtime.NumCPU() }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

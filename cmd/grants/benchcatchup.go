package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/internal/history"
	"github.com/erasmus-ledger/grants/internal/httpbench"
)

// catchupWindow is the duplicate window of the catch-up scenario's
// history, its replay and its server: a ledger's history is written over
// years, not in the last two minutes, so neither should start holding the
// message ID of every generated event in its deduplication map.
const catchupWindow = "1s"

// catchup measures a cold catch-up inside grants serve (an empty data
// directory's read models built from a stream of hb.catchupEvents events)
// beside grants replay of the same stream, run for run, alternating which
// goes first: the target is that serve catches up as fast as the replay.
func (hb *httpBench) catchup(ctx context.Context, dir string) error {
	last, err := hb.seedHistory(ctx, dir)
	if err != nil {
		return err
	}
	var replays, serves []time.Duration
	for k := range max(1, hb.runs) {
		for i, what := range [2]string{"replay", "serve"} {
			if k%2 == 1 {
				what = [2]string{"serve", "replay"}[i]
			}
			if err := removeReadModels(dir); err != nil {
				return err
			}
			var took time.Duration
			if what == "replay" {
				took, err = hb.timeReplay(ctx, dir)
				replays = append(replays, took)
			} else {
				took, err = hb.timeServeCatchup(ctx, dir, last)
				serves = append(serves, took)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(hb.out, "  run %d: %-6s %6.1f s (%.0f events/s)\n", k+1, what, took.Seconds(), float64(last)/took.Seconds())
		}
	}
	r, s := medianDuration(replays), medianDuration(serves)
	fmt.Fprintf(hb.out, "cold catch-up of %d events: grants serve %.1f s (%.0f events/s), grants replay %.1f s (%.0f events/s); serve / replay %.0f%% (medians of %d runs)\n",
		last, s.Seconds(), float64(last)/s.Seconds(), r.Seconds(), float64(last)/r.Seconds(), 100*s.Seconds()/r.Seconds(), len(serves))
	// "As fast as": within a tenth, this machine's run-to-run drift.
	target(hb.out, "a cold catch-up in grants serve as fast as grants replay (within 10%)", s <= r+r/10)
	return nil
}

// seedHistory writes a generated history of hb.catchupEvents events into
// a new data directory as grants serve writes them (signed with the data
// directory's key, personal data sealed under its master key, closed by a
// signed checkpoint) and returns the sequence of its last event.
func (hb *httpBench) seedHistory(ctx context.Context, dir string) (uint64, error) {
	start := time.Now()
	fs := newFlagSet("bench")
	nf := addNATSFlags(fs)
	if err := fs.parse([]string{"--data-dir", dir, "--nats-listen", "off", "--durability", "os-flush", "--duplicate-window", catchupWindow}); err != nil {
		return 0, err
	}
	if err := checkDataDir(dir); err != nil {
		return 0, err
	}
	last, err := writeCatchupHistory(ctx, nf, dir, hb.catchupEvents)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(hb.out, "generated a history of %d events in %s (%s)\n", last, time.Since(start).Round(time.Millisecond), dir)
	// Both catch-ups read a stream written before, not one still being
	// flushed, and one whose deduplication window has passed.
	syscall.Sync()
	time.Sleep(time.Second)
	return last, nil
}

// removeReadModels deletes the data directory's read models (every file
// of grants.db's generations), leaving the stream and the keys.
func removeReadModels(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "grants.db*"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.RemoveAll(f); err != nil {
			return err
		}
	}
	return nil
}

// timeReplay runs grants replay on dir (no grants serve running: it builds
// the read models grants serve would swap in) and returns its wall time.
func (hb *httpBench) timeReplay(ctx context.Context, dir string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, hb.bin, "replay", "--data-dir", dir, "--nats-listen", "off", "--log-format", "json", "--duplicate-window", catchupWindow)
	cmd.Env = append(os.Environ(), hb.env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("grants replay: %w\n%s", err, indent(string(out), 10))
	}
	return took, nil
}

// timeServeCatchup starts grants serve on dir and returns the time from
// its start until its read models hold the event at sequence last.
func (hb *httpBench) timeServeCatchup(ctx context.Context, dir string, last uint64) (time.Duration, error) {
	start := time.Now()
	srv, err := httpbench.Start(hb.bin, []string{"serve", "--data-dir", dir, "--http", "127.0.0.1:0", "--nats-listen", hb.natsListen,
		"--log-format", "json", "--durability", "os-flush", "--duplicate-window", catchupWindow}, hb.env)
	if err != nil {
		return 0, err
	}
	bs := &benchServer{srv: srv, hb: hb}
	defer bs.stop()
	c := httpbench.Client(1)
	for ctx.Err() == nil {
		st, _, body, err := httpCall(ctx, c, "GET", srv.Base+"/healthz", "", nil, nil)
		if err == nil && st == http.StatusOK {
			if seq, ok := healthzCheckpoint(body); ok && seq >= last {
				return time.Since(start), nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0, ctx.Err()
}

// medianDuration is the median of d (the upper one of an even count).
func medianDuration(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// writeCatchupHistory opens the data directory's system as grants serve does and
// writes n generated events and a checkpoint into it; it returns the
// sequence of the last event.
func writeCatchupHistory(ctx context.Context, nf natsFlags, dir string, n int) (uint64, error) {
	sys, err := openSystem(ctx, nf, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return 0, err
	}
	defer sys.Close()
	master, err := pii.LoadOrCreateMaster(filepath.Join(dir, "pii", "master.key"))
	if err != nil {
		return 0, err
	}
	js, err := natsjs.New(sys.nc)
	if err != nil {
		return 0, err
	}
	keys, err := piijs.OpenBounded(ctx, js, 1, piijs.CachedKeys)
	if err != nil {
		return 0, err
	}
	defer keys.Close()
	vault, err := pii.NewVault(master, keys)
	clear(master)
	if err != nil {
		return 0, err
	}
	seal := &sealTimer{s: personal.Sealer{Vault: vault}}
	_, err = history.Generate(ctx, sys.store, history.Config{Events: n, Seed: 2021, Start: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Seal: seal.seal})
	if err != nil {
		return 0, fmt.Errorf("generating the history: %w", err)
	}
	last, err := sys.store.LastSequence(ctx)
	if err != nil {
		return 0, err
	}
	// The service checkpoints its history: both catch-ups authenticate
	// the events the newest checkpoint covers by their chains.
	if err := benchCheckpoint(ctx, sys.store, sys.signer); err != nil {
		return 0, err
	}
	return last, nil
}

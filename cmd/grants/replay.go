package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/privacy"
	"github.com/erasmus-ledger/grants/projections/sqlite"
)

func init() {
	subcommands["replay"] = subcommand{summary: "rebuild the read models from the events (blue/green), or as they were at a moment (--until --out)", run: runReplay}
}

func runReplay(args []string) error {
	fs := newFlagSet("replay")
	nf := addNATSFlags(fs)
	db := fs.String("db", "", "projection database of grants serve (default <data-dir>/grants.db)")
	out := fs.String("out", "", "build into this new file instead of swapping the served read models (for analysts)")
	until := fs.String("until", "", "the history up to this stream sequence or time (RFC 3339, or a date: the end of that day, UTC) on the --clock; needs --out")
	clock := fs.String("clock", string(events.DefaultTimeAxis), "the clock --until is read on (ASOF-CLOCK): recorded (what the ledger held then) or effective (what was in effect then, back-dated events included)")
	personal := fs.Bool("personal-data", false, "with --out: keep the participants' personal data and the actors' identities (national office only; needs --reason and a running grants serve, which records the disclosure first: PD-DISCLOSE-REASON). Without it the file is pseudonymous (PD-EXPORT-PSEUDONYMOUS)")
	reason := fs.String("reason", "", "with --personal-data: why the national office discloses personal data (recorded in the disclosure event)")
	allowHoles := fs.Bool("allow-holes", false, "with --out: keep the file built even if events are missing from the stream (records NATS dropped); the replay still reports them and exits with status 1")
	logFormat := fs.String("log-format", "text", "log format: json or text")
	masterKey := fs.String("pd-master-key", "", "with no grants serve running and no --out: the master key of the participants' personal-data keys, to rebuild the participants table (default <data-dir>/pii/master.key; without it the table is rebuilt empty)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (the replay, and the embedded NATS server if it runs one) to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile of this process to this file at the end")
	if err := fs.parse(args); err != nil {
		return err
	}
	stopProfiles, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		return err
	}
	defer stopProfiles()
	log, err := newLogger(*logFormat, "info")
	if err != nil {
		return err
	}
	bound, err := parseUntil(*until)
	if err != nil {
		return err
	}
	axis, ok := events.ParseTimeAxis(*clock)
	if !ok {
		return usagef("--clock %q: use recorded or effective (ASOF-CLOCK)", *clock)
	}
	bound.Axis = axis
	if *personal && *out == "" {
		return usagef("--personal-data needs --out: it is about the file built for someone (PD-DISCLOSE-REASON)")
	}
	if *reason != "" && !*personal {
		return usagef("--reason goes with --personal-data")
	}
	disclosure := aggregates.Disclosure{Scope: aggregates.ScopeReplayFile, Reason: *reason, Channel: "cli", Range: untilRange(bound)}
	if *personal {
		if err := (aggregates.RecordDisclosure{Disclosure: disclosure}).Validate(); err != nil {
			return usagef("--reason: %v", err)
		}
	}
	if *allowHoles && *out == "" {
		return usagef("--allow-holes needs --out: the served read models are never replaced by an incomplete rebuild")
	}
	if *until != "" && *out == "" {
		return usagef("--until needs --out: the served read models always hold everything")
	}
	if *out != "" {
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("--out %s exists; choose a new file name", *out)
		}
		if err := checkDataDir(filepath.Dir(*out)); err != nil {
			return err
		}
	}
	ctx, sys, done, err := openOneOff(nf, log)
	if err != nil {
		return err
	}
	defer done()
	prog := newProgress(log)
	defer prog.finish()
	start := prog.start

	switch {
	case *out != "":
		var vault pii.Vault
		if *personal {
			seq, err := recordDisclosure(ctx, sys, disclosure)
			if err != nil {
				return err
			}
			log.Info("disclosure of personal data recorded", "sequence", seq)
			// The running serve opens the sealed blocks: the keys stay there.
			vault = remoteOpener{nc: sys.nc, seq: seq}
		}
		// Without --personal-data the file is built pseudonymous
		// (PD-EXPORT-PSEUDONYMOUS): no personal value is ever written to
		// it, so it needs no rewriting once built.
		var n uint64
		var err error
		if *personal {
			n, err = sqlite.RebuildVerifiedOpening(ctx, sys.store, *out, bound, prog.update, sys.ring, *allowHoles, vault)
		} else {
			n, err = sqlite.RebuildPseudonymous(ctx, sys.store, *out, bound, prog.update, sys.ring, *allowHoles, privacy.NewPseudonymiser())
		}
		if errors.Is(err, sqlite.ErrIncomplete) && *allowHoles {
			prog.finish()
			log.Error("read models built INCOMPLETE: events are missing from the stream", "file", *out, "events", n, "err", err)
			return err
		}
		if err != nil {
			os.Remove(*out)
			return err
		}
		prog.finish()
		held, err := sqlite.CountEvents(ctx, *out)
		if err != nil {
			os.Remove(*out)
			return err
		}
		log.Info("read models built", "file", *out, "checkpoint", n, "events", held, "personal_data", *personal, "seconds", round(time.Since(start).Seconds()))
		if held == 0 {
			warnEmpty(bound)
		}
	case sys.srv == nil:
		// A grants serve is running: it rebuilds while it keeps serving.
		rebuilt, err := remoteReplay(ctx, sys.nc, prog)
		if err != nil {
			return err
		}
		prog.finish()
		log.Info("the running grants serve swapped in the rebuilt read models", "instances", rebuilt, "seconds", round(time.Since(start).Seconds()))
	default:
		path := *db
		if path == "" {
			path = filepath.Join(*nf.dataDir, "grants.db")
		}
		vault, closeVault, err := openVaultIfPresent(ctx, *masterKey, *nf.dataDir, sys.nc, *nf.replicas, log)
		if err != nil {
			return err
		}
		defer closeVault()
		// Parked: the rebuild below is the catch-up; a live projector
		// beside it would project every event a second time.
		m, err := sqlite.OpenManager(ctx, sqlite.ManagerConfig{Path: path, Source: sys.store, Registry: aggregates.Registry(), Logger: log, KeyRing: sys.ring, Vault: vault, Parked: true})
		if err != nil {
			return err
		}
		defer m.Close()
		if err := m.Rebuild(ctx, prog.update); err != nil {
			return err
		}
		prog.finish()
		log.Info("read models rebuilt and swapped in", "db", m.Path(), "seconds", round(time.Since(start).Seconds()))
	}
	return nil
}

// parseUntil reads --until: a stream sequence or an RFC 3339 time.
func parseUntil(s string) (sqlite.Until, error) {
	if s == "" {
		return sqlite.Until{}, nil
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && n > 0 {
		return sqlite.Until{Sequence: n}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if layout == "2006-01-02" {
				t = t.Add(24*time.Hour - time.Nanosecond) // the whole day
			}
			return sqlite.Until{Time: t}, nil
		}
	}
	return sqlite.Until{}, usagef("--until %q: want a stream sequence (e.g. 1500) or a time (2024-06-30 or 2024-06-30T12:00:00Z)", s)
}

// untilRange describes the bound of a replay for a disclosure record.
func untilRange(u sqlite.Until) string {
	switch {
	case u.Sequence != 0:
		return fmt.Sprintf("until sequence %d", u.Sequence)
	case !u.Time.IsZero():
		return "until " + events.FormatTime(u.Time) + " (" + string(u.Axis) + " time)"
	}
	return ""
}

// warnEmpty says on stderr that the history up to the bound holds no event
// (ASOF-EMPTY); the exit status stays 0.
func warnEmpty(u sqlite.Until) {
	what := "the stream holds no event"
	if r := untilRange(u); r != "" {
		what = "no event " + r
	}
	hint := ""
	if !u.Time.IsZero() && u.Axis == events.Recorded {
		hint = " (on the effective clock, --clock effective, events recorded later with an earlier effect count too)"
	}
	fmt.Fprintf(os.Stderr, "warning: ASOF-EMPTY: %s: the file holds empty read models%s\n", what, hint)
}

// remoteReplay asks the running grants serve to rebuild and follows its
// progress; on a cluster every instance rebuilds and it follows them all.
// It returns how many instances swapped in rebuilt read models.
func remoteReplay(ctx context.Context, nc *nats.Conn, prog *progress) (int, error) {
	inbox := nc.NewInbox()
	ch := make(chan *nats.Msg, 64)
	sub, err := nc.ChanSubscribe(inbox, ch)
	if err != nil {
		return 0, err
	}
	defer sub.Unsubscribe()
	if err := nc.PublishRequest(adminReplaySubject, inbox, []byte("{}")); err != nil {
		return 0, err
	}
	idle := time.NewTimer(30 * time.Second)
	defer idle.Stop()
	// On a cluster every instance rebuilds its own read models: follow
	// each until all have finished.
	type state struct {
		done, total uint64
		finished    bool
	}
	instances := map[string]*state{}
	for {
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-idle.C:
			return 0, fmt.Errorf("the running grants serve did not answer the rebuild request for 30 s")
		case m := <-ch:
			idle.Reset(30 * time.Second)
			var p replayProgress
			if err := json.Unmarshal(m.Data, &p); err != nil {
				return 0, fmt.Errorf("bad progress message: %w", err)
			}
			if p.Finished && p.Error != "" {
				return 0, fmt.Errorf("rebuild failed in grants serve %s: %s", p.Instance, p.Error)
			}
			st := instances[p.Instance]
			if st == nil {
				st = &state{}
				instances[p.Instance] = st
			}
			st.done, st.total, st.finished = p.Done, p.Total, p.Finished
			var done, total uint64
			finished := 0
			for _, s := range instances {
				done, total = done+s.done, total+s.total
				if s.finished {
					finished++
				}
			}
			prog.update(done, total)
			if finished == len(instances) {
				return finished, nil
			}
		}
	}
}

// progress shows a rebuild's progress: a bar on a terminal, log lines otherwise.
type progress struct {
	bar   *progressbar.ProgressBar
	log   *slog.Logger
	start time.Time // when the replay started: its rate and duration count from here
	last  time.Time
	done  bool
}

func newProgress(log *slog.Logger) *progress {
	p := &progress{log: log, start: time.Now()}
	if term.IsTerminal(int(os.Stderr.Fd())) {
		// The rate is ours (events since the start over the time since
		// the start), in the description: the bar's own rate reads
		// "0 events/hr" until the first batch.
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("replay"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionFullWidth(), progressbar.OptionClearOnFinish())
	}
	return p
}

// rate describes the events per second since the start.
func (p *progress) rate(done uint64) string {
	s := time.Since(p.start).Seconds()
	if done == 0 || s <= 0 {
		return "replay"
	}
	return fmt.Sprintf("replay, %.0f events/s", float64(done)/s)
}

func (p *progress) update(done, total uint64) {
	if p.bar != nil {
		if int64(total) != p.bar.GetMax64() && total > 0 {
			p.bar.ChangeMax64(int64(total))
		}
		_ = p.bar.Set64(int64(done))
		p.bar.Describe(p.rate(done)) // redraws the bar
		return
	}
	if time.Since(p.last) >= 2*time.Second {
		p.last = time.Now()
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		p.log.Info("replay progress", "done", done, "total", total, "percent", round(pct))
	}
}

func (p *progress) finish() {
	if p.bar != nil && !p.done {
		p.done = true
		_ = p.bar.Finish()
	}
}

func round(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

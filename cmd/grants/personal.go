package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/projections/sqlite"
	"github.com/erasmus-ledger/grants/schedule"
	leasejs "github.com/erasmus-ledger/grants/schedule/jetstream"
)

// personalFlags configure the participants' personal data (issue 13).
type personalFlags struct {
	masterKey *string
	retention *string
	interval  *time.Duration
	leaseTTL  *time.Duration
}

func addPersonalFlags(fs *flagSet) personalFlags {
	return personalFlags{
		masterKey: fs.String("pd-master-key", "", "file of the master key that wraps the participants' personal-data keys (PD-SEALED); created 0600 on first start; keep it apart from the stream and its backups (default <data-dir>/pii/master.key)"),
		retention: fs.String("pd-retention", schedule.DefaultRetention.String(), "erase a participant's personal data this long after the balance of every project of the participant was paid (PD-RETENTION): e.g. 5y, 18m, 90d"),
		interval:  fs.Duration("pd-retention-interval", 24*time.Hour, "how often the instance holding the retention lease erases the personal data due (PD-RETENTION); 0 disables the job on this instance"),
		leaseTTL:  fs.Duration("pd-retention-lease-ttl", 90*time.Second, "the retention lease expires this long after its holder last renewed it"),
	}
}

// openVault opens the personal-data vault: the master key file and the
// key bucket GRANTS_PII_KEYS, with every key loaded (bound 0) or at most
// about 2*bound keys in memory (piijs.OpenBounded, as grants serve and
// grants replay open it: their read models keep the sealed blocks sealed).
// The returned function closes it.
func openVault(ctx context.Context, cfg personalFlags, dataDir string, js natsjs.JetStream, replicas, bound int) (*pii.KeyVault, *piijs.Keys, func(), error) {
	path := *cfg.masterKey
	if path == "" {
		path = filepath.Join(dataDir, "pii", "master.key")
	}
	master, err := pii.LoadOrCreateMaster(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--pd-master-key: %w", err)
	}
	open := piijs.Open
	if bound > 0 {
		open = func(ctx context.Context, js natsjs.JetStream, replicas int) (*piijs.Keys, error) {
			return piijs.OpenBounded(ctx, js, replicas, bound)
		}
	}
	keys, err := open(ctx, js, replicas)
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := pii.NewVault(master, keys)
	clear(master)
	if err != nil {
		keys.Close()
		return nil, nil, nil, err
	}
	return v, keys, keys.Close, nil
}

// openVaultIfPresent opens the vault when its master key file exists (a
// one-off command never creates one); else it returns a nil vault.
func openVaultIfPresent(ctx context.Context, masterKey, dataDir string, nc *nats.Conn, replicas int, log *slog.Logger) (pii.Vault, func(), error) {
	path := masterKey
	if path == "" {
		path = filepath.Join(dataDir, "pii", "master.key")
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		log.Warn("no master key of the personal data: the participants table is rebuilt without it", "pd_master_key", path)
		return nil, func() {}, nil
	}
	js, err := natsjs.New(nc)
	if err != nil {
		return nil, nil, err
	}
	// Bounded as grants serve's: the rebuilt read models keep the sealed
	// blocks sealed (PD-SEALED), so the replay opens none (only a block
	// in an older format, with one read of the bucket).
	v, _, closeVault, err := openVault(ctx, personalFlags{masterKey: &path}, dataDir, js, replicas, piijs.CachedKeys)
	if err != nil {
		return nil, nil, err
	}
	return v, closeVault, nil
}

// startRetention starts the retention job (PD-RETENTION); the returned
// function stops it and releases its lease.
func startRetention(ctx context.Context, cfg personalFlags, js natsjs.JetStream, replicas int, readModels *sqlite.Manager, cmds schedule.Commands, clock events.Clock, log *slog.Logger) (func(), error) {
	after, err := schedule.ParsePeriod(*cfg.retention)
	if err != nil {
		return nil, usagef("--pd-retention: %v", err)
	}
	if *cfg.interval <= 0 {
		log.Info("retention job disabled on this instance (--pd-retention-interval 0)")
		return func() {}, nil
	}
	if *cfg.leaseTTL < time.Second {
		return nil, usagef("--pd-retention-lease-ttl %v: want at least 1s", *cfg.leaseTTL)
	}
	kv, err := leasejs.OpenBucket(ctx, js, replicas, *cfg.leaseTTL)
	if err != nil {
		return nil, err
	}
	cands := func(ctx context.Context, cutoff aggregates.Date) ([]schedule.DueParticipant, error) {
		keys, err := readModels.RetentionCandidates(ctx, cutoff)
		out := make([]schedule.DueParticipant, len(keys))
		for i, k := range keys {
			out[i] = schedule.DueParticipant{OID: k.Org, ParticipantID: k.ID}
		}
		return out, err
	}
	s := schedule.NewRetention(leasejs.New(kv, "retention", holderName()), cands, after, cmds,
		// The first minute after a start belongs to the requests: the
		// scan reads every participant's read model (40 % of the CPU of
		// the first seconds after a restart in the bench). The lease is
		// taken at once all the same.
		schedule.Config{Interval: *cfg.interval, Renew: *cfg.leaseTTL / 3, Clock: clock, Logger: log, FirstScanAfter: retentionStartDelay})
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); s.Run(sctx) }()
	return func() { cancel(); <-done }, nil
}

// retentionStartDelay is how long the retention job waits after grants
// serve starts before its first scan.
const retentionStartDelay = guardStartDelay

package schedule

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// Actor is who the scheduler's commands are recorded as: the national
// office's deadline service.
var Actor = events.Actor{UserID: "system-deadlines", Role: aggregates.RoleNationalOffice}

// Candidates returns the IDs of the projects that may owe a deadline flag
// on day today (a superset is fine: the domain decides precisely).
type Candidates func(ctx context.Context, today aggregates.Date) ([]string, error)

// Commands executes commands; *command.Handler implements it.
type Commands interface {
	Handle(ctx context.Context, req command.Request) (command.Result, error)
}

// Config tunes a Scheduler.
type Config struct {
	// Interval between two scans (default 1 hour).
	Interval time.Duration
	// Renew is how often the lease is renewed (or tried for); it must be
	// well below the lease's time to live (default Interval).
	Renew time.Duration
	// Clock tells the time; required.
	Clock events.Clock
	// Logger receives what happened; nil means slog.Default().
	Logger *slog.Logger
	// FirstScanAfter delays Run's first scan until this long (wall time)
	// after Run started: the lease is taken and held at once, but the
	// first minutes after a restart belong to the requests.
	FirstScanAfter time.Duration
}

// Scheduler scans for due deadlines while it holds the lease.
type Scheduler struct {
	lease Lease
	cands Candidates
	cmds  Commands
	cfg   Config
	log   *slog.Logger
	// name and scan are the task: "deadlines" and Scan, or "retention"
	// and the retention job's scan (retention.go).
	name string
	scan func(ctx context.Context) (int, error)
}

// New returns a Scheduler.
func New(lease Lease, cands Candidates, cmds Commands, cfg Config) *Scheduler {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Hour
	}
	if cfg.Renew <= 0 {
		cfg.Renew = cfg.Interval
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Scheduler{lease: lease, cands: cands, cmds: cmds, cfg: cfg, log: log, name: "deadlines"}
	s.scan = s.Scan
	return s
}

// Run holds the lease, renewing it every Renew, and while held scans at
// once and then every Interval, until ctx ends; it then releases the lease.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Renew)
	defer t.Stop()
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.lease.Release(rctx); err != nil {
			s.log.Warn(s.name+": releasing the lease", "err", err)
		}
	}()
	var last time.Time
	wasHeld, owed := false, false
	firstScan := time.Now().Add(s.cfg.FirstScanAfter)
	for {
		held, err := s.lease.Hold(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn(s.name+": the lease is not reachable; no scan this time", "err", err)
		case held:
			if !wasHeld {
				s.log.Info(s.name + ": this instance holds the lease and scans")
				owed = true // a scan on taking the lease
			}
			if (owed || s.cfg.Clock.Now().Sub(last) >= s.cfg.Interval) && !time.Now().Before(firstScan) {
				owed, last = false, s.cfg.Clock.Now()
				if n, err := s.scan(ctx); err != nil && ctx.Err() == nil {
					s.log.Warn(s.name+": scan", "err", err, "done", n)
				}
			}
		}
		wasHeld = held
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick holds (or tries to take) the lease and, held, scans once. It
// returns the number of flags recorded (participants erased, for the
// retention job).
func (s *Scheduler) Tick(ctx context.Context) int {
	held, err := s.lease.Hold(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn(s.name+": the lease is not reachable; no scan this time", "err", err)
		}
		return 0
	}
	if !held {
		return 0
	}
	n, err := s.scan(ctx)
	if err != nil && ctx.Err() == nil {
		s.log.Warn(s.name+": scan", "err", err, "done", n)
	}
	return n
}

// Scan asks the domain to record the flags due on every candidate project
// and returns the number of flags recorded. A project whose decision fails
// is logged and retried at the next scan.
func (s *Scheduler) Scan(ctx context.Context) (int, error) {
	now := s.cfg.Clock.Now()
	ids, err := s.cands(ctx, aggregates.DateOf(now))
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, id := range ids {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		res, err := s.cmds.Handle(ctx, command.Request{Command: aggregates.RaiseDeadlineFlags{ProjectID: id}, Actor: Actor,
			CorrelationID: "deadlines-" + now.UTC().Format("20060102T150405"), Reason: "deadline scan"})
		if err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) && ae.Code == apperr.NotFound {
				continue
			}
			errs = append(errs, err)
			continue
		}
		for _, e := range res.Events {
			if e.Type == (aggregates.DeadlineFlagRaised{}).EventType() {
				n++
				s.log.Info("deadline flag recorded", "project", id, "sequence", e.Sequence)
			}
		}
	}
	return n, errors.Join(errs...)
}

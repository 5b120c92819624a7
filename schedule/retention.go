package schedule

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// RetentionActor is who the retention job's erasures are recorded as.
var RetentionActor = events.Actor{UserID: "system-retention", Role: aggregates.RoleNationalOffice}

// DueParticipant is a participant whose personal data is due for erasure.
type DueParticipant struct {
	OID           string
	ParticipantID string
}

// RetentionCandidates returns the participants, not erased yet, every one
// of whose projects had its balance paid on or before cutoff (PD-RETENTION).
type RetentionCandidates func(ctx context.Context, cutoff aggregates.Date) ([]DueParticipant, error)

// Period is a retention time in years, months and days.
type Period struct{ Years, Months, Days int }

// DefaultRetention is PD-RETENTION's default: five years.
var DefaultRetention = Period{Years: 5}

// ParsePeriod reads "5y", "18m", "30d" or a sum such as "1y6m".
func ParsePeriod(s string) (Period, error) {
	var p Period
	rest := strings.TrimSpace(s)
	if rest == "" {
		return p, fmt.Errorf("retention %q: want e.g. 5y, 18m or 90d", s)
	}
	for rest != "" {
		i := strings.IndexAny(rest, "ymd")
		if i <= 0 {
			return p, fmt.Errorf("retention %q: want e.g. 5y, 18m or 90d", s)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n < 0 || n > 100000 {
			return p, fmt.Errorf("retention %q: want e.g. 5y, 18m or 90d", s)
		}
		switch rest[i] {
		case 'y':
			p.Years += n
		case 'm':
			p.Months += n
		case 'd':
			p.Days += n
		}
		rest = rest[i+1:]
	}
	return p, nil
}

// Before returns the day this period before d.
func (p Period) Before(d aggregates.Date) aggregates.Date {
	return d.AddMonths(-(12*p.Years + p.Months)).AddDays(-p.Days)
}

// String writes the period as ParsePeriod reads it.
func (p Period) String() string {
	var b strings.Builder
	for _, x := range []struct {
		n int
		u string
	}{{p.Years, "y"}, {p.Months, "m"}, {p.Days, "d"}} {
		if x.n != 0 {
			b.WriteString(strconv.Itoa(x.n) + x.u)
		}
	}
	if b.Len() == 0 {
		return "0d"
	}
	return b.String()
}

// NewRetention returns the retention job (PD-RETENTION): while it holds the
// lease it erases the personal data of every participant whose projects'
// balances were all paid at least after ago. Exactly once comes from the
// domain (an erased participant is not erased again, PD-ERASE) and the
// optimistic concurrency of the append; the lease keeps the other
// instances from the same scan.
func NewRetention(lease Lease, cands RetentionCandidates, after Period, cmds Commands, cfg Config) *Scheduler {
	s := New(lease, nil, cmds, cfg)
	s.name = "retention"
	s.scan = func(ctx context.Context) (int, error) { return s.retentionScan(ctx, cands, after) }
	return s
}

// retentionScan erases the participants due and returns how many it erased.
func (s *Scheduler) retentionScan(ctx context.Context, cands RetentionCandidates, after Period) (int, error) {
	now := s.cfg.Clock.Now()
	cutoff := after.Before(aggregates.DateOf(now))
	due, err := cands(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, d := range due {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		_, err := s.cmds.Handle(ctx, command.Request{
			Command: aggregates.EraseParticipant{OID: d.OID, ParticipantID: d.ParticipantID, Retention: true,
				Reason: "retention: every project of the participant was closed (balance paid) on or before " + cutoff.String() + ", " + after.String() + " ago (PD-RETENTION)"},
			Actor: RetentionActor, CorrelationID: "retention-" + now.UTC().Format("20060102T150405"), Reason: "retention (PD-RETENTION)"})
		if err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) && (ae.Code == apperr.NotFound || ae.Rule == "PD-ERASE") {
				s.log.Debug("retention: nothing to erase", "org", d.OID, "participant", d.ParticipantID, "err", err)
				continue // erased meanwhile (another instance), or gone
			}
			errs = append(errs, err)
			continue
		}
		n++
		s.log.Info("retention: personal data erased (PD-RETENTION)", "org", d.OID, "participant", d.ParticipantID)
	}
	return n, errors.Join(errs...)
}

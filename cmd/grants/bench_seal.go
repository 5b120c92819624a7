package main

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/events"
	grantsjs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
)

// benchVault opens the personal-data vault on the benchmark's server as
// grants serve opens it: bounded (piijs.CachedKeys), loading no key at its
// start. Loading every key (piijs.Open) kept about 200 MB of live heap (a
// million keys with their messages) that the collector marked all through
// the replay, which needs none of them (PD-SEALED: the blocks stay sealed).
func benchVault(ctx context.Context, emb *grantsjs.Embedded, master []byte) (pii.Vault, func(), error) {
	js, err := natsjs.New(emb.Conn)
	if err != nil {
		return nil, nil, err
	}
	keys, err := piijs.OpenBounded(ctx, js, 1, piijs.CachedKeys)
	if err != nil {
		return nil, nil, err
	}
	v, err := pii.NewVault(master, keys)
	if err != nil {
		keys.Close()
		return nil, nil, err
	}
	return v, keys.Close, nil
}

// sealTimer runs the sealing step of the command handler over the
// generated history and measures what it costs.
type sealTimer struct {
	s      personal.Sealer
	off    bool // --seal=false: nothing sealed
	nanos  atomic.Int64
	sealed atomic.Int64
}

func (t *sealTimer) seal(ctx context.Context, drafts []events.Draft) ([]events.Draft, error) {
	if t.off {
		return drafts, nil
	}
	n := 0
	for _, d := range drafts {
		switch e := d.Payload.(type) {
		case aggregates.MobilityReported:
			n += boolInt(e.Mobility.Personal != (aggregates.Personal{}))
		case aggregates.MobilityCorrected:
			n += boolInt(e.Mobility.Personal != (aggregates.Personal{}))
		}
	}
	start := time.Now()
	out, err := t.s.SealDrafts(ctx, drafts)
	t.nanos.Add(int64(time.Since(start)))
	t.sealed.Add(int64(n))
	return out, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// report says what sealing cost the appends.
func (t *sealTimer) report(total time.Duration) string {
	d, n := time.Duration(t.nanos.Load()), t.sealed.Load()
	if n == 0 {
		return "  sealing (PD-SEALED): off (--seal=false), the personal data is written in plain"
	}
	return fmt.Sprintf("  sealing (PD-SEALED): %d mobility events sealed, %s of the writers' time in all, %.1f us an event (the writers spent %.1f%% of their time sealing)",
		n, d.Round(time.Millisecond), float64(d.Microseconds())/float64(n), 100*d.Seconds()/(32*total.Seconds()))
}

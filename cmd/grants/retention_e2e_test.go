package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/aggregates/personal"
	"github.com/erasmus-ledger/grants/aggregates/rates"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/pii"
	piijs "github.com/erasmus-ledger/grants/events/pii/jetstream"
	"github.com/erasmus-ledger/grants/events/storetest"
	"github.com/erasmus-ledger/grants/projections/sqlite"
	"github.com/erasmus-ledger/grants/schedule"
	leasejs "github.com/erasmus-ledger/grants/schedule/jetstream"
)

// retentionInstance is one `grants serve` of the retention test: its own
// connection, store, vault, handler, read models and retention job.
type retentionInstance struct {
	job *schedule.Scheduler
	rm  *sqlite.Manager
}

func newRetentionInstance(t *testing.T, l *pdLedger, master []byte, clock *pdClock, leaseKey string) *retentionInstance {
	t.Helper()
	ctx := context.Background()
	nc, err := jetstream.ConnectInProcess(l.e.Server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	store, err := jetstream.Open(ctx, nc, aggregates.Registry(), jetstream.Config{Signer: storetest.Signer})
	if err != nil {
		t.Fatal(err)
	}
	js, err := natsjs.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := piijs.Open(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(keys.Close)
	vault, err := pii.NewVault(master, keys)
	if err != nil {
		t.Fatal(err)
	}
	book, err := rates.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := command.New(store, aggregates.NewDomain(book, aggregates.Policy{}), aggregates.Registry(), clock, command.Config{Sealer: personal.Sealer{Vault: vault}})
	rm, err := sqlite.OpenManager(ctx, sqlite.ManagerConfig{Path: filepath.Join(t.TempDir(), "grants.db"), Source: store, Registry: aggregates.Registry(), Vault: vault})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rm.Close() })
	kv, err := leasejs.OpenBucket(ctx, js, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	cands := func(ctx context.Context, cutoff aggregates.Date) ([]schedule.DueParticipant, error) {
		keys, err := rm.RetentionCandidates(ctx, cutoff)
		out := make([]schedule.DueParticipant, len(keys))
		for i, k := range keys {
			out[i] = schedule.DueParticipant{OID: k.Org, ParticipantID: k.ID}
		}
		return out, err
	}
	job := schedule.NewRetention(leasejs.New(kv, leaseKey, leaseKey), cands, schedule.DefaultRetention, h, schedule.Config{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	return &retentionInstance{job: job, rm: rm}
}

// countErased counts the ParticipantErased events of the organisation.
func countErased(t *testing.T, l *pdLedger) map[string]int {
	t.Helper()
	envs, err := l.e.Store.LoadOrg(context.Background(), pdOrg, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range envs {
		if e.Type == (aggregates.ParticipantErased{}).EventType() {
			v, err := aggregates.Registry().Decode(e)
			if err != nil {
				t.Fatal(err)
			}
			pe := v.(aggregates.ParticipantErased)
			if !pe.Retention {
				t.Errorf("PD-RETENTION: %s was erased without the retention flag", pe.ParticipantID)
			}
			n[pe.ParticipantID]++
		}
	}
	return n
}

// TestRetentionErasesOnceWithTwoInstances proves PD-RETENTION: the
// personal data of a closed project's participants is erased five years
// after its balance was paid, not a day earlier, and each participant
// exactly once although two instances scan at the same moment (each
// holding a lease of its own here, as if one had lost its lease mid-scan:
// exactly once comes from PD-ERASE and the append's optimistic
// concurrency, not from the lease).
func TestRetentionErasesOnceWithTwoInstances(t *testing.T) {
	dir, master, clock := t.TempDir(), masterKey(t), &pdClock{}
	l := openLedger(t, dir, master, false, clock)
	t.Cleanup(l.close) // after the instances' cleanups
	l.project(t)
	l.do(t, "2022-09-12", pdSchool, aggregates.ReportMobility{ProjectID: pdProject, Mobility: aino.mobility("M1")})
	l.do(t, "2022-09-14", pdSchool, aggregates.ReportMobility{ProjectID: pdProject, Mobility: kalle.mobility("M2")})
	l.closeProject(t) // balance paid on 2023-10-01

	a := newRetentionInstance(t, l, master, clock, "retention-a")
	b := newRetentionInstance(t, l, master, clock, "retention-b")
	for _, in := range []*retentionInstance{a, b} {
		catchUp(t, l, in.rm)
	}
	tickBoth := func() int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, in := range []*retentionInstance{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := in.job.Tick(context.Background())
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		return total
	}

	// The stream holds the personal data sealed (PD-SEALED): the read
	// models open them, and the stream's files hold no name.
	if v, err := a.rm.Participant(context.Background(), pdOrg, aino.id); err != nil || v.LastName != aino.last || v.Erased {
		t.Fatalf("PD-SEALED: the read model shows %+v, %v before the retention", v, err)
	}
	if hits := grepDir(t, dir, []byte(aino.last)); len(hits) > 0 {
		t.Fatalf("PD-SEALED: %q in the stream's files %v", aino.last, hits)
	}

	clock.set("2028-09-30") // a day before five years
	if n := tickBoth(); n != 0 || len(countErased(t, l)) != 0 {
		t.Fatalf("PD-RETENTION: %d erased a day early", n)
	}
	clock.set("2028-10-01")
	if c, err := a.rm.RetentionCandidates(context.Background(), aggregates.MustDate("2023-10-01")); err != nil || len(c) != 2 {
		t.Fatalf("candidates %v, %v", c, err)
	}
	n := tickBoth()
	got := countErased(t, l)
	if n != 2 || len(got) != 2 || got[aino.id] != 1 || got[kalle.id] != 1 {
		t.Fatalf("PD-RETENTION: the jobs report %d erasures; the stream holds %v, want each participant once", n, got)
	}
	for _, in := range []*retentionInstance{a, b} {
		catchUp(t, l, in.rm)
	}
	// The next scans find nothing more to do.
	clock.set("2028-10-02")
	if n := tickBoth(); n != 0 {
		t.Fatalf("PD-RETENTION: %d erased again", n)
	}
	if got := countErased(t, l); got[aino.id] != 1 || got[kalle.id] != 1 {
		t.Fatalf("PD-RETENTION: %v", got)
	}
	v, err := a.rm.Participant(context.Background(), pdOrg, aino.id)
	if err != nil || !v.Erased || v.LastName != "" {
		t.Fatalf("PD-RETENTION: the read model shows %+v, %v", v, err)
	}
	verifyValid(t, l)
}

package jetstream_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/aggregates/command"
	"github.com/erasmus-ledger/grants/events"
	ejs "github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/schedule"
	leasejs "github.com/erasmus-ledger/grants/schedule/jetstream"
)

const (
	org     = "E10000001"
	project = "2025-1-FI01-KA122-SCH-000000001"
)

// cluster is one real embedded NATS server with the event store.
type cluster struct {
	emb *ejs.Embedded
	reg *events.Registry
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	reg := aggregates.Registry()
	emb, err := ejs.OpenEmbedded(context.Background(), ejs.EmbeddedConfig{StoreDir: t.TempDir(), Port: -1}, reg, ejs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emb.Close)
	return &cluster{emb: emb, reg: reg}
}

// instance is one `grants serve`: its own connection, store, command
// handler and lease.
type instance struct {
	handler *command.Handler
	lease   *leasejs.Lease
	js      jetstream.JetStream
	close   func()
}

func (c *cluster) instance(t *testing.T, name string, clock events.Clock, ttl time.Duration) *instance {
	t.Helper()
	ctx := context.Background()
	nc, err := ejs.ConnectInProcess(c.emb.Server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	store, err := ejs.Open(ctx, nc, c.reg, ejs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := leasejs.OpenBucket(ctx, js, 1, ttl)
	if err != nil {
		t.Fatal(err)
	}
	h := command.New(store, aggregates.NewDomain(nil, aggregates.Policy{}), c.reg, clock, command.Config{})
	return &instance{handler: h, lease: leasejs.New(kv, "deadlines", name), js: js, close: nc.Close}
}

// seedSignedProject stores a signed KA122 project ending 2026-06-30 (final
// report due 2026-08-29).
func (c *cluster) seedSignedProject(t *testing.T) {
	t.Helper()
	at := time.Date(2025, 8, 1, 9, 0, 0, 0, time.UTC)
	evs := []aggregates.Event{
		aggregates.ApplicationSubmitted{ProjectID: project, OID: org, Action: aggregates.ActionKA122, Field: "school", CallYear: 2025, Round: 1,
			StartDate: aggregates.MustDate("2025-09-01"), EndDate: aggregates.MustDate("2026-06-30"), RequestedCents: 6000000, ApplicantCountry: "FI", SubmittedOn: aggregates.MustDate("2025-02-20")},
		aggregates.ApplicationDecided{ProjectID: project, OID: org, Action: aggregates.ActionKA122, Field: "school", CallYear: 2025, Round: 1, Outcome: aggregates.OutcomeApproved, AwardedCents: 6000000},
		aggregates.GrantAgreementSigned{ProjectID: project, OID: org, AwardedCents: 6000000, SignedOn: aggregates.MustDate("2025-08-01")},
	}
	drafts := make([]events.Draft, len(evs))
	for i, e := range evs {
		drafts[i] = events.Draft{Payload: e, OccurredAt: at}
	}
	_, err := c.emb.Store.Append(context.Background(), events.AppendRequest{Ref: events.Ref{Org: org, Kind: aggregates.KindProject, ID: project},
		Meta: events.Meta{Actor: events.Actor{UserID: "seed", Role: aggregates.RoleNationalOffice}, RecordedAt: at}, Events: drafts})
	if err != nil {
		t.Fatal(err)
	}
}

// flagsStored counts the DeadlineFlagRaised events of the project by flag.
func (c *cluster) flagsStored(t *testing.T) map[string]int {
	t.Helper()
	envs, err := c.emb.Store.Load(context.Background(), events.Ref{Org: org, Kind: aggregates.KindProject, ID: project}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, env := range envs {
		if env.Type != "DeadlineFlagRaised" {
			continue
		}
		p, err := c.reg.Decode(env)
		if err != nil {
			t.Fatal(err)
		}
		out[p.(aggregates.DeadlineFlagRaised).Flag]++
	}
	return out
}

func candidates(context.Context, aggregates.Date) ([]string, error) { return []string{project}, nil }

// countingCommands counts the commands an instance issued.
type countingCommands struct {
	schedule.Commands
	n atomic.Int64
}

func (c *countingCommands) Handle(ctx context.Context, req command.Request) (command.Result, error) {
	c.n.Add(1)
	return c.Commands.Handle(ctx, req)
}

func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLIFE_REPORT_DUE_reminder_written_once_by_two_instances: two instances
// scan at the same moment, many times, bypassing the lease; the command
// handler's optimistic concurrency leaves exactly one reminder.
func TestLIFE_REPORT_DUE_reminder_written_once_by_two_instances(t *testing.T) {
	c := startCluster(t)
	c.seedSignedProject(t)
	clock := events.FixedClock(time.Date(2026, 8, 20, 9, 0, 0, 0, time.UTC)) // 9 days before the due date
	a, b := c.instance(t, "a", clock, time.Minute), c.instance(t, "b", clock, time.Minute)
	sa := schedule.New(a.lease, candidates, a.handler, schedule.Config{Clock: clock})
	sb := schedule.New(b.lease, candidates, b.handler, schedule.Config{Clock: clock})
	var wg sync.WaitGroup
	var written atomic.Int64
	for _, s := range []*schedule.Scheduler{sa, sb, sa, sb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				n, err := s.Scan(context.Background())
				if err != nil {
					t.Error(err)
				}
				written.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	got := c.flagsStored(t)
	if got[aggregates.FlagFinalReportReminder] != 1 || len(got) != 1 {
		t.Fatalf("flags stored = %v, want one final-report-reminder", got)
	}
	if written.Load() != 1 {
		t.Fatalf("the schedulers report %d flags written, want 1", written.Load())
	}
}

// TestLIFE_REPORT_DUE_two_running_schedulers_one_lease: two instances run
// their schedulers; only the lease holder scans, and the overdue flag is
// stored once however often it scans.
func TestLIFE_REPORT_DUE_two_running_schedulers_one_lease(t *testing.T) {
	c := startCluster(t)
	c.seedSignedProject(t)
	clock := events.FixedClock(time.Date(2026, 9, 1, 9, 0, 0, 0, time.UTC)) // past the due date
	a, b := c.instance(t, "a", clock, time.Minute), c.instance(t, "b", clock, time.Minute)
	ca, cb := &countingCommands{Commands: a.handler}, &countingCommands{Commands: b.handler}
	cfg := schedule.Config{Clock: events.ClockFunc(time.Now), Interval: time.Millisecond, Renew: 5 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, s := range []*schedule.Scheduler{schedule.New(a.lease, candidates, ca, cfg), schedule.New(b.lease, candidates, cb, cfg)} {
		wg.Add(1)
		go func() { defer wg.Done(); s.Run(ctx) }()
	}
	poll(t, "ten scans", func() bool { return ca.n.Load()+cb.n.Load() >= 10 })
	cancel()
	wg.Wait()
	if ca.n.Load() > 0 && cb.n.Load() > 0 {
		t.Fatalf("both instances scanned (%d and %d commands) while one lease was held", ca.n.Load(), cb.n.Load())
	}
	if got := c.flagsStored(t); got[aggregates.FlagFinalReportOverdue] != 1 || len(got) != 1 {
		t.Fatalf("flags stored = %v, want one final-report-overdue", got)
	}
}

// TestLeaseTakeover: the lease has one holder; when the holder releases it
// the other takes it at once, and when a holder dies (its connection
// closed, no more renewals) the other takes it after the time to live.
func TestLeaseTakeover(t *testing.T) {
	c := startCluster(t)
	clock := events.ClockFunc(time.Now)
	ctx := context.Background()
	a, b := c.instance(t, "a", clock, time.Second), c.instance(t, "b", clock, time.Second)
	hold := func(l *leasejs.Lease) bool {
		t.Helper()
		ok, err := l.Hold(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !hold(a.lease) {
		t.Fatal("a did not take the free lease")
	}
	if hold(b.lease) {
		t.Fatal("b took the lease a holds")
	}
	if !hold(a.lease) {
		t.Fatal("a could not renew its lease")
	}
	if err := a.lease.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if !hold(b.lease) {
		t.Fatal("b did not take the lease a released")
	}
	if hold(a.lease) {
		t.Fatal("a took the lease b holds")
	}
	b.close() // b dies without releasing
	poll(t, "a to take over the dead holder's lease", func() bool { return hold(a.lease) })
	if hold(a.lease) != true {
		t.Fatal("a lost the lease it took over")
	}
}

// TestLeaseBucketTTLNeverShrinks proves the jobs sharing the lease bucket
// cannot shorten each other's leases: a shorter time to live asked after
// a longer one leaves the longer.
func TestLeaseBucketTTLNeverShrinks(t *testing.T) {
	c := startCluster(t)
	nc, err := ejs.ConnectInProcess(c.emb.Server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, ttl := range []time.Duration{90 * time.Second, 2 * time.Second} {
		if _, err := leasejs.OpenBucket(ctx, js, 1, ttl); err != nil {
			t.Fatal(err)
		}
	}
	st, err := js.Stream(ctx, "KV_"+leasejs.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.CachedInfo().Config.MaxAge; got != 90*time.Second {
		t.Fatalf("bucket time to live %v after asking 90s then 2s, want 90s", got)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream"
	"github.com/erasmus-ledger/grants/events/keys"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/internal/httpbench"
	"github.com/erasmus-ledger/grants/internal/natscluster"
)

// clusterBench is one measurement of grants bench --cluster with the CPU
// each side spent during it.
type clusterBench struct {
	r               httpbench.Result
	natsCPU, apiCPU time.Duration
	// machineBusy is the share of the machine's CPU time that was busy
	// (every process, the other users of a shared machine included).
	machineBusy float64
	// requests and elapsed are those of every run together (the CPU
	// times cover them all; r is the median run).
	requests int
	elapsed  time.Duration
	genCPU   time.Duration
}

// perCommand is d per successful operation of every run, in µs.
func (m clusterBench) perCommand(d time.Duration) float64 {
	return float64(d.Microseconds()) / float64(max(m.requests, 1))
}

// cores is d as the cores it kept busy over every run.
func (m clusterBench) cores(d time.Duration) float64 {
	return d.Seconds() / max(m.elapsed.Seconds(), 1e-9)
}

// runClusterBench runs grants bench --cluster under scratch: a three-node
// JetStream cluster (processes, loopback), raw R3 publish on it, then the
// report-mobility command through 1 and through `instances` grants serve
// instances on the same cluster, each measurement with the CPU of the
// NATS nodes, the API instances and the load generator, to name the
// bottleneck.
func runClusterBench(ctx context.Context, scratch string, hb *httpBench, instances int) error {
	out := hb.out
	start := time.Now()
	c, err := natscluster.Start(ctx, natscluster.Config{Dir: filepath.Join(scratch, "cluster")})
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(out, "cluster benchmark: three nats-server nodes (R3, sync_interval default), %d keep-alive connections, %s per measurement; cluster up in %s\n\n",
		hb.conns, hb.duration, time.Since(start).Round(time.Millisecond))
	signing, master := clusterShared(c.Dir)
	set, _, err := keys.Open(signing, time.Now())
	if err != nil {
		return err
	}
	if _, err := pii.LoadOrCreateMaster(master); err != nil {
		return err
	}
	opt, err := nats.NkeyOptionFromSeed(c.Creds.Serve)
	if err != nil {
		return err
	}
	nc, err := nats.Connect(c.URL(), opt, nats.CustomInboxPrefix(jetstream.ServeInboxPrefix), nats.MaxReconnects(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := natsjs.New(nc)
	if err != nil {
		return err
	}
	natsCPU := func() time.Duration {
		var sum time.Duration
		for i := range c.Nodes {
			sum += httpbench.ProcessCPU(c.Pid(i))
		}
		return sum
	}
	pr := printer{out}
	raw, err := rawR3(ctx, js, hb, natsCPU)
	if err != nil {
		return fmt.Errorf("raw R3 publish: %w", err)
	}
	printCluster3(pr, raw, "", 0)

	// The projects the reports go to, seeded through the cluster, and a
	// beneficiary token per project.
	signer, err := set.Signer()
	if err != nil {
		return err
	}
	store, err := openStoreRetrying(ctx, nc, jetstream.Config{Replicas: 3, Signer: signer}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	seeded, err := httpbench.Seed(ctx, store, hb.conns, []httpbench.Group{{Name: "p", Projects: hb.conns, Mobilities: 10}})
	if err != nil {
		return fmt.Errorf("seeding the cluster: %w", err)
	}
	ts, err := authjs.Open(ctx, js, 3)
	if err != nil {
		return err
	}
	svc := auth.NewService(ts, events.ClockFunc(time.Now))
	ps := seeded.Groups["p"]
	tokens := map[string]string{}
	for _, p := range ps {
		if _, tokens[p.OID], err = svc.Create(ctx, auth.CreateRequest{Role: aggregates.RoleBeneficiary, Org: p.OID, Name: "bench " + p.OID}); err != nil {
			return err
		}
	}

	var srvs []*httpbench.Server
	defer func() {
		for _, s := range srvs {
			_ = s.Stop()
		}
	}()
	client := httpbench.Client(hb.conns)
	var first clusterBench
	for _, n := range []int{1, instances} {
		for len(srvs) < n {
			s, err := startClusterServe(ctx, hb, c, filepath.Join(scratch, fmt.Sprintf("api%d", len(srvs)+1)), seeded.Events)
			if err != nil {
				return err
			}
			srvs = append(srvs, s)
		}
		apiCPU := func() time.Duration {
			var sum time.Duration
			for _, s := range srvs {
				sum += s.CPU()
			}
			return sum
		}
		tag := fmt.Sprintf("c%d", n)
		op := func(ctx context.Context, w, i int) (time.Duration, error) {
			p := ps[w%len(ps)]
			id := fmt.Sprintf("%s-%d-%d", tag, w, i)
			base := srvs[w%len(srvs)].Base
			st, _, b, err := httpLean(ctx, client, "POST", base+"/v1/projects/"+p.ID+"/mobilities", tokens[p.OID], httpbench.MobilityBody(id, "P"+id),
				map[string]string{"Idempotency-Key": id})
			return 0, expect(st, b, err, http.StatusCreated, http.StatusOK)
		}
		seqs0 := streamSeqs(ctx, js)
		m := measureCluster(ctx, hb, fmt.Sprintf("report mobility, %d API instance%s", n, map[bool]string{true: "s"}[n > 1]), op, natsCPU, apiCPU)
		printCluster3(pr, m, "raw R3 publish", raw.r.Rate)
		if n == 1 {
			fmt.Fprintf(out, "%44s replicated writes per command: %s\n", "", writesPerCommand(seqs0, streamSeqs(ctx, js), m.requests))
		}
		if n == 1 {
			first = m
		} else if first.r.Rate > 0 {
			fmt.Fprintf(out, "%44s %d instances vs 1: %.0f%%\n", "", n, 100*m.r.Rate/first.r.Rate)
		}
		if n == instances {
			fmt.Fprintf(out, "\nbottleneck: %s\n", bottleneck(first, m, hb.conns, n))
		}
	}
	return nil
}

// startClusterServe starts a grants serve instance on the cluster with
// the data directory dir and waits until its read models hold the events.
func startClusterServe(ctx context.Context, hb *httpBench, c *natscluster.Cluster, dir string, events int) (*httpbench.Server, error) {
	t0 := time.Now()
	signing, master := clusterShared(c.Dir)
	s, err := httpbench.Start(hb.bin, []string{"serve", "--nats-url", c.URL(), "--nats-nkey", c.Creds.Serve, "--replicas", "3",
		"--signing-dir", signing, "--pd-master-key", master, "--data-dir", dir, "--http", "127.0.0.1:0", "--log-format", "json"}, hb.env)
	if err != nil {
		return nil, err
	}
	hc := httpbench.Client(1)
	for ctx.Err() == nil {
		st, _, body, err := httpCall(ctx, hc, "GET", s.Base+"/healthz", "", nil, nil)
		if i := bytes.Index(body, []byte(`"checkpoint":`)); err == nil && st == http.StatusOK && i >= 0 {
			rest := string(body[i+len(`"checkpoint":`):])
			if j := strings.IndexAny(rest, ",}"); j > 0 {
				if seq, err := strconv.Atoi(strings.TrimSpace(rest[:j])); err == nil && seq >= events {
					break
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(hb.out, "grants serve instance on %s ready and caught up in %s\n", dir, time.Since(t0).Round(time.Millisecond))
	return s, ctx.Err()
}

// measureCluster runs op as hb's load and adds the CPU time of the NATS
// nodes and the API instances spent meanwhile.
func measureCluster(ctx context.Context, hb *httpBench, name string, op httpbench.Op, natsCPU, apiCPU func() time.Duration) clusterBench {
	n0 := natsCPU()
	busy0, total0 := machineCPU()
	var a0 time.Duration
	if apiCPU != nil {
		a0 = apiCPU()
	}
	r := httpbench.LoadRuns(ctx, name, hb.conns, hb.runs, hb.duration, op)
	m := clusterBench{r: r, natsCPU: natsCPU() - n0}
	runs := r.Runs
	if len(runs) == 0 {
		runs = []httpbench.Result{r}
	}
	for _, run := range runs {
		m.requests += run.Requests
		m.elapsed += run.Duration
		m.genCPU += run.GenCPU
	}
	if busy1, total1 := machineCPU(); total1 > total0 {
		m.machineBusy = float64(busy1-busy0) / float64(total1-total0)
	}
	if apiCPU != nil {
		m.apiCPU = apiCPU() - a0
	}
	return m
}

// rawR3 publishes to a stream of three replicas as the store does (one
// subject per publisher, a message ID and the expected last subject
// sequence, a CloudEvent-sized body) and measures it as the HTTP load is.
func rawR3(ctx context.Context, js natsjs.JetStream, hb *httpBench, natsCPU func() time.Duration) (clusterBench, error) {
	st, err := js.CreateStream(ctx, natsjs.StreamConfig{Name: "BENCH_RAW", Subjects: []string{"benchraw.>"}, Replicas: 3, Storage: natsjs.FileStorage, Duplicates: 2 * time.Minute})
	if err != nil {
		return clusterBench{}, err
	}
	defer func() { _ = js.DeleteStream(context.Background(), "BENCH_RAW") }()
	body := bytes.Repeat([]byte("x"), 700)
	last := make([]uint64, hb.conns)
	op := func(ctx context.Context, w, i int) (time.Duration, error) {
		msg := &nats.Msg{Subject: fmt.Sprintf("benchraw.%d", w), Data: body, Header: nats.Header{
			natsjs.MsgIDHeader:               []string{fmt.Sprintf("%d-%d", w, i)},
			natsjs.ExpectedLastSubjSeqHeader: []string{strconv.FormatUint(last[w], 10)},
		}}
		ack, err := js.PublishMsg(ctx, msg)
		if err != nil {
			// A publish whose answer was lost may be stored: the next
			// one expects what the stream holds.
			if m, gerr := st.GetLastMsgForSubject(ctx, msg.Subject); gerr == nil {
				last[w] = m.Sequence
			}
			return 0, err
		}
		last[w] = ack.Sequence
		return 0, nil
	}
	return measureCluster(ctx, hb, "raw R3 publish", op, natsCPU, nil), nil
}

// printCluster3 prints a measurement with the CPU of each side per
// operation.
func printCluster3(pr printer, m clusterBench, baseName string, base float64) {
	pr.line(m.r, baseName, base)
	if m.r.Requests == 0 {
		return
	}
	fmt.Fprintf(pr.out, "%44s CPU per command: NATS nodes %.0f µs, API instances %.0f µs, generator %.0f µs; ours busy %.2f of %d cores, the machine %.0f%% busy\n", "",
		m.perCommand(m.natsCPU), m.perCommand(m.apiCPU), m.perCommand(m.genCPU), m.cores(m.natsCPU+m.apiCPU+m.genCPU), coresOf(), 100*m.machineBusy)
}

// bottleneck names what limits m (first, the same command through one
// instance): the CPU when the machine is busy (and which side spends most
// of ours), else the latency of the replicated write each worker waits
// for.
func bottleneck(first, m clusterBench, workers, instances int) string {
	ours := (m.natsCPU + m.apiCPU + m.genCPU).Seconds()
	share := func(d time.Duration) float64 { return 100 * d.Seconds() / max(ours, 1e-9) }
	growth := fmt.Sprintf("CPU per command through %d instances vs 1: API %.0f vs %.0f µs, NATS %.0f vs %.0f µs "+
		"(every instance projects every event into its own SQLite read models and NATS delivers every event to each: "+
		"instances add read capacity, not write capacity)", instances, m.perCommand(m.apiCPU), first.perCommand(first.apiCPU),
		m.perCommand(m.natsCPU), first.perCommand(first.natsCPU))
	if m.machineBusy >= 0.9 {
		return fmt.Sprintf("the CPU: the machine's %d cores were %.0f%% busy (ours %.2f cores: NATS %.0f%%, API %.0f%%, generator %.0f%%); %s",
			coresOf(), 100*m.machineBusy, m.cores(m.natsCPU+m.apiCPU+m.genCPU), share(m.natsCPU), share(m.apiCPU), share(m.genCPU), growth)
	}
	return fmt.Sprintf("latency, not CPU (the machine %.0f%% busy): each of the %d workers waits for its replicated write (p50 %s), so the rate is about workers / latency; %s",
		100*m.machineBusy, workers, m.r.P50.Round(10*time.Microsecond), growth)
}

// streamSeqs is every stream's last sequence.
func streamSeqs(ctx context.Context, js natsjs.JetStream) map[string]uint64 {
	out := map[string]uint64{}
	lister := js.ListStreams(ctx)
	for info := range lister.Info() {
		out[info.Config.Name] = info.State.LastSeq
	}
	return out
}

// writesPerCommand says how many messages each stream took per command
// between two readings (the streams that took none left out).
func writesPerCommand(before, after map[string]uint64, commands int) string {
	var parts []string
	var total float64
	for name, seq := range after {
		if d := seq - before[name]; d > 0 && name != "BENCH_RAW" {
			per := float64(d) / float64(max(commands, 1))
			total += per
			if per >= 0.005 { // a lease renewal now and then is not per command
				parts = append(parts, fmt.Sprintf("%s %.2f", name, per))
			}
		}
	}
	sort.Strings(parts)
	return fmt.Sprintf("%.2f (%s)", total, strings.Join(parts, ", "))
}

// machineCPU reads the machine's busy and total CPU time (in ticks) from
// the first line of /proc/stat; zeros when it cannot.
func machineCPU() (busy, total uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0
		}
		if i >= 8 { // guest time is counted in user already
			break
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	natsjs "github.com/nats-io/nats.go/jetstream"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/api/auth"
	authjs "github.com/erasmus-ledger/grants/api/auth/jetstream"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/jetstream/jsbench"
	"github.com/erasmus-ledger/grants/internal/httpbench"
)

// httpScenarios are the scenarios of grants bench --http, in the order
// they run.
var httpScenarios = []string{"raw", "healthz", "report", "report-relaxed", "status", "page", "ryw", "apply", "memory", "restart", "catchup"}

// httpBench configures grants bench --http.
type httpBench struct {
	// scenarios to run (httpScenarios' names).
	scenarios map[string]bool
	// duration of each measurement, conns the keep-alive connections.
	duration time.Duration
	conns    int
	// bigOrgs is the larger number of organisations of the apply
	// scenario (the smaller is 100); memoryCommands the commands the
	// memory scenario sends.
	bigOrgs, memoryCommands int
	// catchupEvents is the size of the catch-up scenario's history.
	catchupEvents int
	// manyMobilities is the size of the large projects.
	manyMobilities int
	// runs is how many times each measurement runs (the median is judged).
	runs int
	// bin is the grants binary the server runs as, env its extra
	// environment.
	bin string
	env []string
	out io.Writer
	// natsListen is the --nats-listen of every grants serve started.
	natsListen string
	// srv is the server running now, whose CPU time load reports.
	srv *httpbench.Server
	// probeBase is the run's first host probe (probe).
	probeBase time.Duration
}

// probe prints the host's speed before a phase of the run
// (httpbench.HostProbe), beside the run's first probe.
func (hb *httpBench) probe(what string) {
	d := httpbench.HostProbe()
	fmt.Fprintln(hb.out, httpbench.ProbeLine(what, d, hb.probeBase))
	if hb.probeBase == 0 {
		hb.probeBase = d
	}
}

// parseScenarios reads --scenarios ("all" or a comma-separated list).
func parseScenarios(s string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "all":
			for _, n := range httpScenarios {
				out[n] = true
			}
		case slices.Contains(httpScenarios, name):
			out[name] = true
		default:
			return nil, usagef("--scenarios: unknown scenario %q; the scenarios are all or %s", name, strings.Join(httpScenarios, ", "))
		}
	}
	return out, nil
}

// benchServer is a seeded data directory, its tokens and its running
// server.
type benchServer struct {
	dir, durability string
	seeded          httpbench.Seeded
	// tokens are a beneficiary token per organisation with a project,
	// office the national office's.
	tokens map[string]string
	office string
	srv    *httpbench.Server
	// lean sends the measured commands to srv (httpbench.Getter).
	lean *httpbench.Getter
	hb   *httpBench
}

// seedServer seeds a new data directory under scratch and starts grants
// serve on it with durability.
func (hb *httpBench) seedServer(ctx context.Context, dir, durability string, orgs int, groups []httpbench.Group) (*benchServer, error) {
	start := time.Now()
	fs := newFlagSet("bench")
	nf := addNATSFlags(fs)
	if err := fs.parse([]string{"--data-dir", dir, "--nats-listen", "off", "--durability", "os-flush"}); err != nil {
		return nil, err
	}
	if err := checkDataDir(dir); err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sys, err := openSystem(ctx, nf, true, log)
	if err != nil {
		return nil, err
	}
	closed := false
	defer func() {
		if !closed {
			sys.Close()
		}
	}()
	bs := &benchServer{dir: dir, durability: durability, tokens: map[string]string{}, hb: hb}
	if bs.seeded, err = httpbench.Seed(ctx, sys.store, orgs, groups); err != nil {
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			err = fmt.Errorf("%w: %v", err, e)
		}
		return nil, fmt.Errorf("seeding %s: %w", dir, err)
	}
	js, err := natsjs.New(sys.nc)
	if err != nil {
		return nil, err
	}
	ts, err := authjs.Open(ctx, js, 1)
	if err != nil {
		return nil, err
	}
	svc := auth.NewService(tokenStoreOf(sys, ts), events.ClockFunc(time.Now))
	if _, bs.office, err = svc.Create(ctx, auth.CreateRequest{Role: aggregates.RoleNationalOffice, Name: "bench"}); err != nil {
		return nil, err
	}
	for _, ps := range bs.seeded.Groups {
		for _, p := range ps {
			if _, bs.tokens[p.OID], err = svc.Create(ctx, auth.CreateRequest{Role: aggregates.RoleBeneficiary, Org: p.OID, Name: "bench " + p.OID}); err != nil {
				return nil, err
			}
		}
	}
	// The organisations the apply scenario submits for.
	for _, oid := range bs.seeded.OIDs[:min(len(bs.seeded.OIDs), hb.conns)] {
		if bs.tokens[oid] == "" {
			if _, bs.tokens[oid], err = svc.Create(ctx, auth.CreateRequest{Role: aggregates.RoleBeneficiary, Org: oid, Name: "bench " + oid}); err != nil {
				return nil, err
			}
		}
	}
	sys.Close()
	closed = true
	if err := os.WriteFile(filepath.Join(dir, "deadlines.json"), []byte(httpbench.DeadlinesJSON), 0o600); err != nil {
		return nil, err
	}
	fmt.Fprintf(hb.out, "seeded %d organisations and %d events in %s (%s)\n", len(bs.seeded.OIDs), bs.seeded.Events, time.Since(start).Round(time.Millisecond), dir)
	// The seed's files, and those an earlier scenario's server left in the
	// page cache (its read models are written without fsync), go to disk
	// now: the kernel's writeback of them would otherwise run on the two
	// cores beside the measurements that follow.
	syscall.Sync()
	return bs, bs.start(ctx)
}

// start starts grants serve on the data directory and waits until its
// read models hold every seeded event.
func (bs *benchServer) start(ctx context.Context) error {
	start := time.Now()
	srv, err := httpbench.Start(bs.hb.bin, []string{"serve", "--data-dir", bs.dir, "--http", "127.0.0.1:0", "--nats-listen", bs.hb.natsListen,
		"--log-format", "json", "--durability", bs.durability, "--deadlines-file", filepath.Join(bs.dir, "deadlines.json")}, bs.hb.env)
	if err != nil {
		return err
	}
	bs.srv = srv
	bs.hb.srv = srv
	if bs.lean, err = httpbench.NewGetter(srv.Base); err != nil {
		return err
	}
	c := httpbench.Client(1)
	for ctx.Err() == nil {
		st, _, body, err := httpCall(ctx, c, "GET", srv.Base+"/healthz", "", nil, nil)
		if err == nil && st == http.StatusOK {
			if seq, ok := healthzCheckpoint(body); ok && seq >= uint64(bs.seeded.Events) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(bs.hb.out, "grants serve --durability=%s ready and caught up in %s\n", bs.durability, time.Since(start).Round(time.Millisecond))
	return ctx.Err()
}

// healthzCheckpoint reads the read models' checkpoint from a /healthz
// body.
func healthzCheckpoint(body []byte) (uint64, bool) {
	i := bytes.Index(body, []byte(`"checkpoint":`))
	if i < 0 {
		return 0, false
	}
	var seq uint64
	_, err := fmt.Sscanf(string(body[i+len(`"checkpoint":`):]), "%d", &seq)
	return seq, err == nil
}

// stop stops the server and says what it logged above INFO.
func (bs *benchServer) stop() {
	if bs.srv == nil {
		return
	}
	if bs.lean != nil {
		bs.lean.Close()
		bs.lean = nil
	}
	if err := bs.srv.Stop(); err != nil {
		fmt.Fprintf(bs.hb.out, "  (grants serve: %v)\n", err)
	}
	if w := bs.srv.Warnings(); w != "" {
		fmt.Fprintf(bs.hb.out, "  grants serve logged above INFO:\n%s", indent(w, 5))
	}
	bs.srv = nil
}

// indent indents the first n lines of s.
func indent(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... %d more lines", len(lines)-n))
	}
	return "    " + strings.Join(lines, "\n    ") + "\n"
}

// httpCall sends one request and reads the whole answer.
func httpCall(ctx context.Context, c *http.Client, method, url, token string, body []byte, hdr map[string]string) (int, http.Header, []byte, error) {
	return httpDo(ctx, c, method, url, token, body, hdr, true)
}

// httpLean is httpCall for the measured operations: a 2xx answer's body
// is read to its end and dropped, not kept (the load generator shares the
// cores with the server); another answer's body is returned for the error.
func httpLean(ctx context.Context, c *http.Client, method, url, token string, body []byte, hdr map[string]string) (int, http.Header, []byte, error) {
	return httpDo(ctx, c, method, url, token, body, hdr, false)
}

// httpDo sends one request; keep keeps a 2xx answer's body.
func httpDo(ctx context.Context, c *http.Client, method, url, token string, body []byte, hdr map[string]string, keep bool) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	if !keep && resp.StatusCode/100 == 2 {
		_, err := io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header, nil, err
	}
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// expect turns an answer other than want into an error.
func expect(st int, b []byte, err error, want ...int) error {
	if err != nil {
		return err
	}
	if !slices.Contains(want, st) {
		if len(b) > 300 {
			b = b[:300]
		}
		return fmt.Errorf("status %d: %s", st, b)
	}
	return nil
}

// reportOp reports a new mobility into the projects of group, worker w
// into project w, and returns the answer's Grants-Sequence through seqs.
func (bs *benchServer) reportOp(tag string, ps []httpbench.Project, seqs []string) httpbench.Op {
	report := bs.reportTo(tag, seqs)
	return func(ctx context.Context, w, i int) (time.Duration, error) {
		return report(ctx, w, i, ps[w%len(ps)])
	}
}

// reportTo returns an operation that reports a new mobility into project
// p, as worker w's i-th, and returns the answer's Grants-Sequence through
// seqs.
// The reports go through the lean client (httpbench.Getter, bs.lean), as
// the measured GETs do: through Go's http.Transport the load generator
// took ~75 µs of CPU per report on the 2 cores it shares with the server.
func (bs *benchServer) reportTo(tag string, seqs []string) func(ctx context.Context, w, i int, p httpbench.Project) (time.Duration, error) {
	want := ""
	if seqs != nil {
		want = "Grants-Sequence"
	}
	return func(ctx context.Context, w, i int, p httpbench.Project) (time.Duration, error) {
		id := fmt.Sprintf("%s-%d-%d", tag, w, i)
		st, b, seq, err := bs.lean.Post(ctx, "/v1/projects/"+p.ID+"/mobilities", bs.tokens[p.OID], httpbench.MobilityBody(id, "P"+id),
			[]string{"Idempotency-Key", id}, want)
		if err := expect(st, b, err, http.StatusCreated, http.StatusOK); err != nil {
			return 0, err
		}
		if seqs != nil {
			seqs[w] = seq
		}
		return 0, nil
	}
}

// getOp reads path (a function of the worker) with token through g, the
// lean GET client (httpbench.Getter): the load generator shares the cores
// with the server, and Go's http.Transport cost it more CPU per request
// than the server spent answering. It accepts gzip and reads the answer
// as sent, undecoded: the server's cost is the same, and decompressing a
// 50-mobility page cost the generator more CPU than the server spent
// answering it.
func (bs *benchServer) getOp(g *httpbench.Getter, token string, path func(w int) string) httpbench.Op {
	return func(ctx context.Context, w, i int) (time.Duration, error) {
		st, b, err := g.Get(ctx, path(w), token)
		return 0, expect(st, b, err, http.StatusOK)
	}
}

// printer prints results with their ratio to a baseline.
type printer struct {
	out io.Writer
}

func (p printer) line(r httpbench.Result, baseName string, base float64) httpbench.Result {
	s := r.String()
	if base > 0 {
		s += fmt.Sprintf("\n%44s %.1f%% of %s (%.0f/s)", "", 100*r.Rate/base, baseName, base)
	}
	fmt.Fprintln(p.out, s)
	return r
}

// runHTTPBench runs the HTTP scenarios under scratch.
func runHTTPBench(ctx context.Context, scratch string, hb *httpBench) error {
	pr := printer{hb.out}
	d, on := hb.duration, hb.scenarios
	fmt.Fprintf(hb.out, "HTTP benchmark: %d keep-alive connections, %s per measurement, scenarios %s\n\n", hb.conns, d, strings.Join(selected(on), ", "))

	var rawDefault, rawSync float64
	if on["raw"] || on["report"] || on["report-relaxed"] {
		hb.probe("raw publish")
		n := max(hb.conns*10, int(d.Seconds()*2000))
		var defaults, syncs, p99s, syncP99s []float64
		for k := range max(1, hb.runs) {
			ar, err := jsbench.Append(ctx, jsbench.Config{Dir: filepath.Join(scratch, fmt.Sprintf("raw-%d", k)), Writers: hb.conns, Events: n})
			if err != nil {
				return fmt.Errorf("raw publish: %w", err)
			}
			defaults, syncs = append(defaults, ar.RawRate), append(syncs, ar.RawSyncRate)
			p99s, syncP99s = append(p99s, ar.RawP99.Seconds()), append(syncP99s, ar.RawSyncP99.Seconds())
		}
		rawDefault, rawSync = median(defaults), median(syncs)
		fmt.Fprintf(hb.out, "raw JetStream sync publish, %d publishers: default (fsync every 2 min) %.0f/s p99 %s, sync_interval always %.0f/s p99 %s%s\n\n",
			hb.conns, rawDefault, secs(median(p99s)), rawSync, secs(median(syncP99s)), spreadNote(defaults, syncs))
	}

	many := hb.manyMobilities
	groups := []httpbench.Group{{Name: "p10", Projects: hb.conns, Mobilities: 10}, {Name: "pmany", Projects: hb.conns, Mobilities: many},
		{Name: "s30", Projects: 1, Mobilities: 30}, {Name: "s60", Projects: 1, Mobilities: 60}, {Name: "smany", Projects: 1, Mobilities: many}}
	if on["memory"] {
		groups = append(groups, httpbench.Group{Name: "mem", Projects: hb.memoryProjects()})
	}
	needMain := on["healthz"] || on["report"] || on["status"] || on["page"] || on["ryw"] || on["apply"] || on["memory"] || on["restart"]
	var healthz float64
	var applySmall httpbench.Result
	if needMain {
		bs, err := hb.seedServer(ctx, filepath.Join(scratch, "durable"), "fsync", 100, groups)
		if err != nil {
			return err
		}
		defer bs.stop()
		c := httpbench.Client(hb.conns)
		g, err := httpbench.NewGetter(bs.srv.Base)
		if err != nil {
			return err
		}
		defer g.Close()
		hb.probe("the fsync server's scenarios")
		rss0, _ := bs.srv.RSS()
		hr := hb.load(ctx, "GET /healthz", bs.getOp(g, "", func(int) string { return "/healthz" }))
		healthz = pr.line(hr, "", 0).Rate
		if on["report"] {
			r10, r1000 := hb.loadPair(ctx, "report mobility, fsync, 10 mobilities", fmt.Sprintf("report mobility, fsync, %d mobilities", many),
				bs.reportOp("r10", bs.seeded.Groups["p10"], nil), bs.reportOp("r1000", bs.seeded.Groups["pmany"], nil))
			pr.line(r10, "raw sync_interval always", rawSync)
			pr.line(r1000, "raw sync_interval always", rawSync)
			fmt.Fprintf(hb.out, "%44s %d vs 10 mobilities: %.0f%%\n", "", many, 100*r1000.Rate/max(r10.Rate, 1e-9))
			target(hb.out, "durable report >= 50% of raw durable publish, p99 < 20 ms, within 20% at 10 and 1000 mobilities",
				r10.Rate >= rawSync/2 && r10.P99 < 20*time.Millisecond && r1000.P99 < 20*time.Millisecond && flat(r10.Rate, r1000.Rate))
		}
		if on["status"] || on["page"] {
			// Each read is measured at a small and a large project in
			// alternation (loadPair), as the reports are: measured one after
			// the other, the second saw a machine in another state (session
			// 12: status at 1 000 mobilities 76 % of the rate at 30, with the
			// same server CPU per request, bodies of 1 899 and 1 862 bytes and
			// the same profile). Status is compared at 30 and many
			// mobilities; a 50-item page at 60 and many, so that both pages
			// hold 50 items.
			var pairs [][2]httpbench.Result
			read := func(what, small, large string, sizes [2]int, path func(p httpbench.Project) string) {
				ps, pl := bs.seeded.Groups[small][0], bs.seeded.Groups[large][0]
				a, b := hb.loadPair(ctx, fmt.Sprintf("GET %s, %d mobilities", what, sizes[0]), fmt.Sprintf("GET %s, %d mobilities", what, sizes[1]),
					bs.getOp(g, bs.office, func(int) string { return path(ps) }), bs.getOp(g, bs.office, func(int) string { return path(pl) }))
				pr.line(a, "/healthz", healthz)
				pr.line(b, "/healthz", healthz)
				fmt.Fprintf(hb.out, "%44s %d vs %d mobilities: %.0f%%\n", "", sizes[1], sizes[0], 100*b.Rate/max(a.Rate, 1e-9))
				pairs = append(pairs, [2]httpbench.Result{a, b})
			}
			if on["status"] {
				read("project status", "s30", "smany", [2]int{30, many}, func(p httpbench.Project) string { return "/v1/projects/" + p.ID })
			}
			if on["page"] {
				read("50-mobility page", "s60", "smany", [2]int{60, many}, func(p httpbench.Project) string { return "/v1/projects/" + p.ID + "/mobilities?limit=50" })
			}
			ok := true
			for _, pair := range pairs {
				for _, r := range pair {
					ok = ok && r.Rate >= 0.3*healthz && r.P99 < 5*time.Millisecond
				}
				ok = ok && flat(pair[0].Rate, pair[1].Rate)
			}
			target(hb.out, "status and page >= 30% of /healthz, p99 < 5 ms, within 20% at 30 and 1000 mobilities", ok)
		}
		if on["ryw"] {
			ps := bs.seeded.Groups["p10"]
			seqs := make([]string, hb.conns)
			report := bs.reportOp("ryw", ps, seqs)
			lag := pr.line(hb.load(ctx, "read-your-writes lag (status after report)", func(ctx context.Context, w, i int) (time.Duration, error) {
				if _, err := report(ctx, w, i); err != nil {
					return 0, err
				}
				p := ps[w%len(ps)]
				t0 := time.Now()
				st, _, b, err := httpLean(ctx, c, "GET", bs.srv.Base+"/v1/projects/"+p.ID, bs.tokens[p.OID], nil, map[string]string{"Grants-Min-Sequence": seqs[w]})
				return time.Since(t0), expect(st, b, err, http.StatusOK)
			}), "", 0)
			target(hb.out, "read-your-writes lag p99 < 50 ms", lag.P99 < 50*time.Millisecond)
		}
		if on["apply"] {
			applySmall = hb.apply(ctx, c, bs, "100 organisations")
		}
		if on["memory"] {
			hb.memory(ctx, bs, rss0)
		}
		if on["restart"] {
			if err := hb.restart(ctx, bs); err != nil {
				return err
			}
		}
		bs.stop()
	}
	if on["report-relaxed"] {
		bs, err := hb.seedServer(ctx, filepath.Join(scratch, "relaxed"), "os-flush", 0, groups[:2])
		if err != nil {
			return err
		}
		hb.probe("relaxed reports")
		r10, r1000 := hb.loadPair(ctx, "report mobility, os-flush, 10 mobilities", fmt.Sprintf("report mobility, os-flush, %d mobilities", many),
			bs.reportOp("r10", bs.seeded.Groups["p10"], nil), bs.reportOp("r1000", bs.seeded.Groups["pmany"], nil))
		pr.line(r10, "raw default", rawDefault)
		pr.line(r1000, "raw default", rawDefault)
		fmt.Fprintf(hb.out, "%44s %d vs 10 mobilities: %.0f%%\n", "", many, 100*r1000.Rate/max(r10.Rate, 1e-9))
		target(hb.out, "relaxed report >= 5 000/s and >= 12% of raw publish, p99 < 20 ms, within 20% at 10 and 1000 mobilities",
			r10.Rate >= 5000 && r10.Rate >= 0.12*rawDefault && r10.P99 < 20*time.Millisecond && r1000.P99 < 20*time.Millisecond && flat(r10.Rate, r1000.Rate))
		bs.stop()
	}
	if on["apply"] {
		bs, err := hb.seedServer(ctx, filepath.Join(scratch, "orgs"), "fsync", hb.bigOrgs, nil)
		if err != nil {
			return err
		}
		hb.probe("applications among many organisations")
		big := hb.apply(ctx, httpbench.Client(hb.conns), bs, fmt.Sprintf("%d organisations", hb.bigOrgs))
		target(hb.out, "submit application >= 2 000/s, within 20% at 100 and many organisations", big.Rate >= 2000 && applySmall.Rate >= 2000 && flat(applySmall.Rate, big.Rate))
		bs.stop()
	}
	if on["catchup"] {
		hb.probe("the cold catch-up")
		return hb.catchup(ctx, filepath.Join(scratch, "catchup"))
	}
	return nil
}

// load measures op for hb.duration on hb.conns workers, hb.runs times.
func (hb *httpBench) load(ctx context.Context, name string, op httpbench.Op) httpbench.Result {
	if hb.srv != nil {
		ctx = httpbench.WithServerCPU(ctx, hb.srv.CPU)
	}
	return httpbench.LoadRuns(ctx, name, hb.conns, hb.runs, hb.duration, op)
}

// loadPair measures opA and opB in alternation, hb.runs times each, after
// a warm-up (httpbench.LoadPairs): two figures compared with each other.
func (hb *httpBench) loadPair(ctx context.Context, nameA, nameB string, opA, opB httpbench.Op) (httpbench.Result, httpbench.Result) {
	if hb.srv != nil {
		ctx = httpbench.WithServerCPU(ctx, hb.srv.CPU)
	}
	return httpbench.LoadPairs(ctx, nameA, nameB, hb.conns, hb.runs, hb.duration, opA, opB)
}

// restart measures reports into the large projects in the first minute
// after a restart (and its first 5 s apart) beside the steady rate of the
// same reports, measured warm just before it.
func (hb *httpBench) restart(ctx context.Context, bs *benchServer) error {
	pr := printer{hb.out}
	ps := bs.seeded.Groups["pmany"]
	// The steady rate is measured warm, just before the restart: a
	// first pass loads the projects.
	pr.line(httpbench.Load(ctx, fmt.Sprintf("report mobility, fsync, %d mobilities (warm-up)", hb.manyMobilities), hb.conns, hb.duration, bs.reportOp("wu", ps, nil)), "", 0)
	steady := pr.line(httpbench.Load(ctx, fmt.Sprintf("report mobility, fsync, %d mobilities (steady)", hb.manyMobilities), hb.conns, hb.duration, bs.reportOp("st", ps, nil)), "", 0).Rate
	bs.stop()
	if err := bs.start(ctx); err != nil {
		return err
	}
	// The first 5 s and the first minute (shorter with a --duration under
	// 5 s, as in tests: one and twelve durations).
	first, minute := min(5*time.Second, hb.duration), min(time.Minute, 12*hb.duration)
	r5 := pr.line(httpbench.Load(ctx, fmt.Sprintf("report mobility, first %s after a restart", first), hb.conns, first, bs.reportOp("rs", ps, nil)), "the steady rate", steady)
	rest := httpbench.Load(ctx, "report mobility, rest of the first minute", hb.conns, max(minute-r5.Duration, first), bs.reportOp("rs2", ps, nil))
	pr.line(rest, "the steady rate", steady)
	n := r5.Requests + rest.Requests
	el := r5.Duration + rest.Duration
	rate := float64(n) / el.Seconds()
	fmt.Fprintf(hb.out, "%-40s %9.0f/s  (%d ok in %s)\n%44s %.1f%% of the steady rate (%.0f/s)\n", fmt.Sprintf("report mobility, first %s after restart", minute), rate, n, el.Round(time.Millisecond), "", 100*rate/max(steady, 1e-9), steady)
	target(hb.out, "the first minute after a restart >= 50% of the steady rate", rate >= steady/2)
	return nil
}

// apply measures application submissions, worker w for organisation w.
func (hb *httpBench) apply(ctx context.Context, c *http.Client, bs *benchServer, what string) httpbench.Result {
	oids := bs.seeded.OIDs[:min(len(bs.seeded.OIDs), hb.conns)]
	per := 999_999 / hb.conns
	return printer{hb.out}.line(hb.load(ctx, "submit application, "+what, func(ctx context.Context, w, i int) (time.Duration, error) {
		oid := oids[w%len(oids)]
		st, _, b, err := httpLean(ctx, c, "POST", bs.srv.Base+"/v1/projects", bs.tokens[oid], httpbench.ApplicationBody(oid, 1+w*per+i%per),
			map[string]string{"Idempotency-Key": fmt.Sprintf("apply-%s-%d-%d", oid, w, i)})
		return 0, expect(st, b, err, http.StatusCreated, http.StatusOK)
	}), "", 0)
}

// memoryProjects is the number of projects the memory scenario reports
// into: each worker fills projects of hb.manyMobilities mobilities one
// after the other, as a programme's projects fill over time, so the
// commands meet a working set of projects of the size the other targets
// use while the data grows with every command.
func (hb *httpBench) memoryProjects() int {
	per := max(1, hb.memoryCommands/hb.conns)
	return hb.conns * ((per + hb.manyMobilities - 1) / hb.manyMobilities)
}

// memorySample is the server's memory after some commands.
type memorySample struct {
	at       time.Duration
	commands int64
	mem      httpbench.Memory
}

// memory sends hb.memoryCommands reports and prints the server's resident
// memory as it goes (every tenth of the commands), then judges the target:
// under 400 MiB at the end and flat after the first minute (no sample
// after it more than 10% above the first one taken after it).
func (hb *httpBench) memory(ctx context.Context, bs *benchServer, rss0 int64) {
	report := bs.reportTo("mem", nil)
	ps := bs.seeded.Groups["mem"]
	per := max(1, hb.memoryCommands/hb.conns)
	perWorker := len(ps) / hb.conns
	mib := func(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
	before, _ := bs.srv.Memory()
	fmt.Fprintf(hb.out, "resident memory of grants serve under %d report commands (%d projects of up to %d mobilities, %d at a time): %s at start, %s before (anon %s, file %s)\n",
		per*hb.conns, len(ps), hb.manyMobilities, hb.conns, mib(rss0), mib(before.RSS), mib(before.Anon), mib(before.File))
	start := time.Now()
	var done atomic.Int64
	step := max(1, int64(per*hb.conns/10))
	samples := make(chan memorySample, 64)
	var all []memorySample
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		last, lastAt := int64(0), time.Duration(0)
		for s := range samples {
			all = append(all, s)
			fmt.Fprintf(hb.out, "  %8d commands %8s  %6.0f/s  RSS %s (anon %s, file %s)\n", s.commands, s.at.Round(time.Second),
				float64(s.commands-last)/max((s.at-lastAt).Seconds(), 1e-9), mib(s.mem.RSS), mib(s.mem.Anon), mib(s.mem.File))
			last, lastAt = s.commands, s.at
		}
	}()
	sample := func() {
		m, err := bs.srv.Memory()
		if err == nil {
			samples <- memorySample{at: time.Since(start), commands: done.Load(), mem: m}
		}
	}
	// The first minute is sampled every 10 s as well, so the curve shows
	// where it ends.
	tick := time.NewTicker(10 * time.Second)
	stopTick := make(chan struct{})
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		for {
			select {
			case <-tick.C:
				if time.Since(start) <= time.Minute+5*time.Second {
					sample()
				}
			case <-stopTick:
				return
			}
		}
	}()
	total, errs, first := httpbench.Count(ctx, hb.conns, per, func(ctx context.Context, w, i int) error {
		p := ps[w*perWorker+min(perWorker-1, i/hb.manyMobilities)]
		_, err := report(ctx, w, i, p)
		if err == nil && done.Add(1)%step == 0 {
			sample()
		}
		return err
	})
	tick.Stop()
	close(stopTick)
	<-tickDone
	el := time.Since(start)
	close(samples)
	<-printed
	end, _ := bs.srv.Memory()
	fmt.Fprintf(hb.out, "  %d commands in %s (%.0f/s): RSS %s at the end (anon %s, file %s)\n", total, el.Round(time.Second), float64(total)/el.Seconds(), mib(end.RSS), mib(end.Anon), mib(end.File))
	if errs > 0 {
		fmt.Fprintf(hb.out, "  %d commands failed, first: %v\n", errs, first)
	}
	var base, peak int64
	for _, s := range all {
		if s.at >= time.Minute {
			if base == 0 {
				base = s.mem.RSS
			}
			peak = max(peak, s.mem.RSS)
		}
	}
	peak = max(peak, end.RSS)
	flatOK := base > 0 && peak <= base+base/10
	if base > 0 {
		fmt.Fprintf(hb.out, "  after the first minute: %s at its first sample, %s at most (%+.1f%%)\n", mib(base), mib(peak), 100*float64(peak-base)/float64(base))
	} else {
		fmt.Fprintf(hb.out, "  the run ended within its first minute: flatness after it not measured\n")
	}
	target(hb.out, fmt.Sprintf("resident memory < 400 MiB after %d commands and flat after the first minute (< 10%% growth)", total),
		end.RSS < 400<<20 && flatOK && errs == 0)
}

// selected lists the scenarios of on in their running order.
func selected(on map[string]bool) []string {
	var out []string
	for _, n := range httpScenarios {
		if on[n] {
			out = append(out, n)
		}
	}
	return out
}

// target prints the verdict on one of issue 16's targets.
func target(out io.Writer, what string, ok bool) {
	fmt.Fprintf(out, "  target: %s: %s\n", what, verdict(ok))
}

// median is the middle value of xs (the upper one of an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// spreadNote prints the min/median/max of the raw rates of several runs.
func spreadNote(defaults, syncs []float64) string {
	if len(defaults) < 2 {
		return ""
	}
	mmm := func(xs []float64) string {
		s := slices.Clone(xs)
		slices.Sort(s)
		return fmt.Sprintf("%.0f/%.0f/%.0f", s[0], s[len(s)/2], s[len(s)-1])
	}
	return fmt.Sprintf(" (medians of %d runs; min/median/max default %s, always %s)", len(defaults), mmm(defaults), mmm(syncs))
}

// secs renders a number of seconds as a rounded duration.
func secs(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(10 * time.Microsecond).String()
}

// flat reports whether rates a and b are within 20% of each other.
func flat(a, b float64) bool {
	return min(a, b) >= 0.8*max(a, b)
}

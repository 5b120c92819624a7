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
var httpScenarios = []string{"raw", "healthz", "report", "report-relaxed", "status", "page", "ryw", "apply", "memory", "restart"}

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
	// manyMobilities is the size of the large projects.
	manyMobilities int
	// runs is how many times each measurement runs (the median is judged).
	runs int
	// bin is the grants binary the server runs as, env its extra
	// environment.
	bin string
	env []string
	out io.Writer
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
	hb     *httpBench
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
	return bs, bs.start(ctx)
}

// start starts grants serve on the data directory and waits until its
// read models hold every seeded event.
func (bs *benchServer) start(ctx context.Context) error {
	start := time.Now()
	srv, err := httpbench.Start(bs.hb.bin, []string{"serve", "--data-dir", bs.dir, "--http", "127.0.0.1:0", "--nats-listen", "off",
		"--log-format", "json", "--durability", bs.durability, "--deadlines-file", filepath.Join(bs.dir, "deadlines.json")}, bs.hb.env)
	if err != nil {
		return err
	}
	bs.srv = srv
	c := httpbench.Client(1)
	for ctx.Err() == nil {
		st, _, body, err := httpCall(ctx, c, "GET", srv.Base+"/healthz", "", nil, nil)
		if err == nil && st == http.StatusOK && bytes.Contains(body, []byte(`"checkpoint":`)) {
			var seq uint64
			fmt.Sscanf(string(body[bytes.Index(body, []byte(`"checkpoint":`))+len(`"checkpoint":`):]), "%d", &seq)
			if seq >= uint64(bs.seeded.Events) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintf(bs.hb.out, "grants serve --durability=%s ready and caught up in %s\n", bs.durability, time.Since(start).Round(time.Millisecond))
	return ctx.Err()
}

// stop stops the server and says what it logged above INFO.
func (bs *benchServer) stop() {
	if bs.srv == nil {
		return
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
func (bs *benchServer) reportOp(c *http.Client, tag string, ps []httpbench.Project, seqs []string) httpbench.Op {
	return func(ctx context.Context, w, i int) (time.Duration, error) {
		p := ps[w%len(ps)]
		id := fmt.Sprintf("%s-%d-%d", tag, w, i)
		st, h, b, err := httpCall(ctx, c, "POST", bs.srv.Base+"/v1/projects/"+p.ID+"/mobilities", bs.tokens[p.OID], httpbench.MobilityBody(id, "P"+id),
			map[string]string{"Idempotency-Key": id})
		if err := expect(st, b, err, http.StatusCreated, http.StatusOK); err != nil {
			return 0, err
		}
		if seqs != nil {
			seqs[w] = h.Get("Grants-Sequence")
		}
		return 0, nil
	}
}

// getOp reads path (a function of the worker) with the office's token.
func (bs *benchServer) getOp(c *http.Client, token string, path func(w int) string) httpbench.Op {
	return func(ctx context.Context, w, i int) (time.Duration, error) {
		st, _, b, err := httpCall(ctx, c, "GET", bs.srv.Base+path(w), token, nil, nil)
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
		n := max(hb.conns*10, int(d.Seconds()*2000))
		var defaults, syncs []float64
		for k := range max(1, hb.runs) {
			ar, err := jsbench.Append(ctx, jsbench.Config{Dir: filepath.Join(scratch, fmt.Sprintf("raw-%d", k)), Writers: hb.conns, Events: n})
			if err != nil {
				return fmt.Errorf("raw publish: %w", err)
			}
			defaults, syncs = append(defaults, ar.RawRate), append(syncs, ar.RawSyncRate)
		}
		rawDefault, rawSync = median(defaults), median(syncs)
		fmt.Fprintf(hb.out, "raw JetStream sync publish, %d publishers: default (fsync every 2 min) %.0f/s, sync_interval always %.0f/s%s\n\n",
			hb.conns, rawDefault, rawSync, spreadNote(defaults, syncs))
	}

	many := hb.manyMobilities
	groups := []httpbench.Group{{Name: "p10", Projects: hb.conns, Mobilities: 10}, {Name: "pmany", Projects: hb.conns, Mobilities: many},
		{Name: "s30", Projects: 1, Mobilities: 30}, {Name: "s60", Projects: 1, Mobilities: 60}, {Name: "smany", Projects: 1, Mobilities: many}}
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
		rss0, _ := bs.srv.RSS()
		hr := hb.load(ctx, "GET /healthz", bs.getOp(c, "", func(int) string { return "/healthz" }))
		healthz = pr.line(hr, "", 0).Rate
		var steady float64
		if on["report"] {
			r10 := pr.line(hb.load(ctx, "report mobility, fsync, 10 mobilities", bs.reportOp(c, "r10", bs.seeded.Groups["p10"], nil)), "raw sync_interval always", rawSync)
			r1000 := pr.line(hb.load(ctx, fmt.Sprintf("report mobility, fsync, %d mobilities", many), bs.reportOp(c, "r1000", bs.seeded.Groups["pmany"], nil)), "raw sync_interval always", rawSync)
			steady = r10.Rate
			fmt.Fprintf(hb.out, "%44s %d vs 10 mobilities: %.0f%%\n", "", many, 100*r1000.Rate/max(r10.Rate, 1e-9))
			target(hb.out, "durable report >= 50% of raw durable publish, p99 < 20 ms, within 20% at 10 and 1000 mobilities",
				r10.Rate >= rawSync/2 && r10.P99 < 20*time.Millisecond && r1000.P99 < 20*time.Millisecond && flat(r10.Rate, r1000.Rate))
		}
		if on["status"] || on["page"] {
			var reads []httpbench.Result
			// Status is compared at 30 and many mobilities; a 50-item page
			// at 60 and many, so that both pages hold 50 items.
			for k, g := range []string{"s30", "smany"} {
				size := map[string]int{"s30": 30, "smany": many}[g]
				if on["status"] {
					p := bs.seeded.Groups[g][0]
					reads = append(reads, pr.line(hb.load(ctx, fmt.Sprintf("GET project status, %d mobilities", size), bs.getOp(c, bs.office, func(int) string { return "/v1/projects/" + p.ID })), "/healthz", healthz))
				}
				if on["page"] {
					pg := []string{"s60", "smany"}[k]
					p := bs.seeded.Groups[pg][0]
					size := map[string]int{"s60": 60, "smany": many}[pg]
					reads = append(reads, pr.line(hb.load(ctx, fmt.Sprintf("GET 50-mobility page, %d mobilities", size), bs.getOp(c, bs.office, func(int) string { return "/v1/projects/" + p.ID + "/mobilities?limit=50" })), "/healthz", healthz))
				}
			}
			ok := true
			for i, r := range reads {
				ok = ok && r.Rate >= 0.3*healthz && r.P99 < 5*time.Millisecond
				if j := i + len(reads)/2; j < len(reads) {
					ok = ok && flat(r.Rate, reads[j].Rate)
				}
			}
			target(hb.out, "status and page >= 30% of /healthz, p99 < 5 ms, within 20% at 30 and 1000 mobilities", ok)
		}
		if on["ryw"] {
			ps := bs.seeded.Groups["p10"]
			seqs := make([]string, hb.conns)
			report := bs.reportOp(c, "ryw", ps, seqs)
			lag := pr.line(hb.load(ctx, "read-your-writes lag (status after report)", func(ctx context.Context, w, i int) (time.Duration, error) {
				if _, err := report(ctx, w, i); err != nil {
					return 0, err
				}
				p := ps[w%len(ps)]
				t0 := time.Now()
				st, _, b, err := httpCall(ctx, c, "GET", bs.srv.Base+"/v1/projects/"+p.ID, bs.tokens[p.OID], nil, map[string]string{"Grants-Min-Sequence": seqs[w]})
				return time.Since(t0), expect(st, b, err, http.StatusOK)
			}), "", 0)
			target(hb.out, "read-your-writes lag p99 < 50 ms", lag.P99 < 50*time.Millisecond)
		}
		if on["apply"] {
			applySmall = hb.apply(ctx, c, bs, "100 organisations")
		}
		if on["memory"] {
			hb.memory(ctx, c, bs, rss0)
		}
		if on["restart"] {
			if steady == 0 {
				steady = hb.load(ctx, "report mobility, fsync, 10 mobilities (steady)", bs.reportOp(c, "st", bs.seeded.Groups["p10"], nil)).Rate
			}
			bs.stop()
			if err := bs.start(ctx); err != nil {
				return err
			}
			c = httpbench.Client(hb.conns)
			first := min(d, time.Minute)
			rs := pr.line(httpbench.Load(ctx, fmt.Sprintf("report mobility, first %s after a restart", first), hb.conns, first, bs.reportOp(c, "rs", bs.seeded.Groups["pmany"], nil)), "the steady rate", steady)
			target(hb.out, "the first minute after a restart >= 50% of the steady rate", rs.Rate >= steady/2)
		}
		bs.stop()
	}
	if on["report-relaxed"] {
		bs, err := hb.seedServer(ctx, filepath.Join(scratch, "relaxed"), "os-flush", 0, groups[:2])
		if err != nil {
			return err
		}
		c := httpbench.Client(hb.conns)
		r10 := pr.line(hb.load(ctx, "report mobility, os-flush, 10 mobilities", bs.reportOp(c, "r10", bs.seeded.Groups["p10"], nil)), "raw default", rawDefault)
		r1000 := pr.line(hb.load(ctx, fmt.Sprintf("report mobility, os-flush, %d mobilities", many), bs.reportOp(c, "r1000", bs.seeded.Groups["pmany"], nil)), "raw default", rawDefault)
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
		big := hb.apply(ctx, httpbench.Client(hb.conns), bs, fmt.Sprintf("%d organisations", hb.bigOrgs))
		target(hb.out, "submit application >= 2 000/s, within 20% at 100 and many organisations", big.Rate >= 2000 && applySmall.Rate >= 2000 && flat(applySmall.Rate, big.Rate))
		bs.stop()
	}
	return nil
}

// load measures op for hb.duration on hb.conns workers, hb.runs times.
func (hb *httpBench) load(ctx context.Context, name string, op httpbench.Op) httpbench.Result {
	return httpbench.LoadRuns(ctx, name, hb.conns, hb.runs, hb.duration, op)
}

// apply measures application submissions, worker w for organisation w.
func (hb *httpBench) apply(ctx context.Context, c *http.Client, bs *benchServer, what string) httpbench.Result {
	oids := bs.seeded.OIDs[:min(len(bs.seeded.OIDs), hb.conns)]
	per := 999_999 / hb.conns
	return printer{hb.out}.line(hb.load(ctx, "submit application, "+what, func(ctx context.Context, w, i int) (time.Duration, error) {
		oid := oids[w%len(oids)]
		st, _, b, err := httpCall(ctx, c, "POST", bs.srv.Base+"/v1/projects", bs.tokens[oid], httpbench.ApplicationBody(oid, 1+w*per+i%per),
			map[string]string{"Idempotency-Key": fmt.Sprintf("apply-%s-%d-%d", oid, w, i)})
		return 0, expect(st, b, err, http.StatusCreated, http.StatusOK)
	}), "", 0)
}

// memory sends hb.memoryCommands reports and prints the server's resident
// memory before, halfway and after.
func (hb *httpBench) memory(ctx context.Context, c *http.Client, bs *benchServer, rss0 int64) {
	report := bs.reportOp(c, "mem", bs.seeded.Groups["p10"], nil)
	per := max(1, hb.memoryCommands/2/hb.conns)
	before, _ := bs.srv.RSS()
	start := time.Now()
	var rss [2]int64
	total, errs := 0, 0
	var first error
	for k := range rss {
		ok, bad, err := httpbench.Count(ctx, hb.conns, per, func(ctx context.Context, w, i int) error {
			_, err := report(ctx, w, k*per+i)
			return err
		})
		total, errs = total+ok, errs+bad
		if first == nil {
			first = err
		}
		rss[k], _ = bs.srv.RSS()
	}
	mib := func(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
	fmt.Fprintf(hb.out, "resident memory of grants serve: %s at start, %s before %d commands, %s halfway, %s after (%.0f commands/s); "+
		"growth over the second half %.1f KiB per command\n",
		mib(rss0), mib(before), total, mib(rss[0]), mib(rss[1]), float64(total)/time.Since(start).Seconds(), float64(rss[1]-rss[0])/1024/float64(max(1, total/2)))
	if errs > 0 {
		fmt.Fprintf(hb.out, "  %d commands failed, first: %v\n", errs, first)
	}
	target(hb.out, fmt.Sprintf("resident memory < 400 MiB after %d commands and flat over the second half (< 5%% growth)", total),
		rss[1] < 400<<20 && rss[1]-rss[0] < rss[0]/20)
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

// flat reports whether rates a and b are within 20% of each other.
func flat(a, b float64) bool {
	return min(a, b) >= 0.8*max(a, b)
}

package httpbench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Result is what one load run measured.
type Result struct {
	// Name names the scenario.
	Name string
	// Requests counts the operations that succeeded, Errors the others;
	// FirstError is the first error's text.
	Requests, Errors int
	FirstError       string
	// Duration is the time the run took, Rate Requests per second.
	Duration time.Duration
	Rate     float64
	// P50 and P99 are the latency percentiles of the successful
	// operations.
	P50, P99 time.Duration
	// GenCPU is the CPU time (user and system) this process spent during
	// the run: the load generator's own cost, on the same cores as the
	// server.
	GenCPU time.Duration
	// ServerCPU is the CPU time the server process spent during the run,
	// when the context named it (WithServerCPU): divided by the requests,
	// a cost per request that depends little on what else runs.
	ServerCPU time.Duration
	// Runs are every run of a repeated measurement (LoadRuns), in the
	// order they ran; this Result is then the median one by rate.
	Runs []Result
}

// String renders the result on one line.
func (r Result) String() string {
	s := fmt.Sprintf("%-40s %9.0f/s  p50 %7s  p99 %7s  (%d ok in %s, generator CPU %s = %.0f%% of one core)",
		r.Name, r.Rate, round(r.P50), round(r.P99), r.Requests, r.Duration.Round(time.Millisecond), r.GenCPU.Round(time.Millisecond),
		100*r.GenCPU.Seconds()/max(r.Duration.Seconds(), 1e-9))
	if r.ServerCPU > 0 && r.Requests > 0 {
		s += fmt.Sprintf("\n%44s server CPU %s = %.0f%% of one core, %.0f µs per request", "", r.ServerCPU.Round(time.Millisecond),
			100*r.ServerCPU.Seconds()/max(r.Duration.Seconds(), 1e-9), float64(r.ServerCPU.Microseconds())/float64(r.Requests))
	}
	if r.Errors > 0 {
		s += fmt.Sprintf("; %d errors, first: %s", r.Errors, r.FirstError)
	}
	if len(r.Runs) > 1 {
		rates, p99s := r.spread()
		s += fmt.Sprintf("\n%44s %d runs: rate min/median/max %.0f/%.0f/%.0f per s, p99 %s/%s/%s",
			"", len(r.Runs), rates[0], rates[len(rates)/2], rates[len(rates)-1], round(p99s[0]), round(p99s[len(p99s)/2]), round(p99s[len(p99s)-1]))
	}
	return s
}

// spread returns the runs' rates and p99s, each sorted.
func (r Result) spread() ([]float64, []time.Duration) {
	rates := make([]float64, len(r.Runs))
	p99s := make([]time.Duration, len(r.Runs))
	for i, run := range r.Runs {
		rates[i], p99s[i] = run.Rate, run.P99
	}
	sort.Float64s(rates)
	sort.Slice(p99s, func(i, j int) bool { return p99s[i] < p99s[j] })
	return rates, p99s
}

// LoadRuns measures op runs times in a row, each run as Load does for d,
// and returns the median run by rate with every run in Runs. The i an
// operation is given keeps counting across runs, so no run repeats an
// operation of an earlier one (an idempotency key, an ID).
func LoadRuns(ctx context.Context, name string, workers, runs int, d time.Duration, op Op) Result {
	if runs <= 1 {
		return Load(ctx, name, workers, d, op)
	}
	all := make([]Result, 0, runs)
	for k := range runs {
		base := k * runStride
		all = append(all, Load(ctx, name, workers, d, func(ctx context.Context, w, i int) (time.Duration, error) {
			return op(ctx, w, base+i)
		}))
	}
	return medianRun(all)
}

// LoadPairs measures two operations in alternation, runs times each (a,
// b, a, b, ...), each run as Load does for d, after a warm-up in which
// every worker performs each operation once, unmeasured; it returns the
// median run of each with its runs (as LoadRuns). Two figures compared
// with each other (a command on small and on large projects) thus see the
// server in the same states: run one after the other, the second met a
// server whose state had grown meanwhile (the stream's duplicate window,
// the heap the collector scans), and measuring 10 against 10 mobilities
// that way gave the second 66-77 % of the first on the shared machine;
// and the warm-up keeps the first report into each large project, which
// folds its history, out of the steady rate (the restart scenario
// measures that apart).
func LoadPairs(ctx context.Context, nameA, nameB string, workers, runs int, d time.Duration, opA, opB Op) (Result, Result) {
	runs = max(runs, 1)
	warm := runs * runStride
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			opA(ctx, w, warm)
			opB(ctx, w, warm)
		})
	}
	wg.Wait()
	var as, bs []Result
	for k := range runs {
		base := k * runStride
		as = append(as, Load(ctx, nameA, workers, d, func(ctx context.Context, w, i int) (time.Duration, error) { return opA(ctx, w, base+i) }))
		bs = append(bs, Load(ctx, nameB, workers, d, func(ctx context.Context, w, i int) (time.Duration, error) { return opB(ctx, w, base+i) }))
	}
	return medianRun(as), medianRun(bs)
}

// medianRun returns the median of runs by rate, with every run in Runs
// (none when there is one).
func medianRun(all []Result) Result {
	if len(all) == 1 {
		return all[0]
	}
	byRate := slices.Clone(all)
	sort.SliceStable(byRate, func(i, j int) bool { return byRate[i].Rate < byRate[j].Rate })
	med := byRate[len(byRate)/2]
	med.Runs = all
	return med
}

// runStride separates the operation numbers of consecutive runs: more
// than any worker performs in one run.
const runStride = 100_000_000

// round shortens a latency for printing.
func round(d time.Duration) string {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= 100*time.Microsecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}

// Client returns an HTTP client that keeps conns connections to one
// server alive and opens no more.
func Client(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
	}, Timeout: time.Minute}
}

// Op is one operation of worker w, its i-th. It returns the latency to
// record (zero: the time the call took) or an error.
type Op func(ctx context.Context, w, i int) (time.Duration, error)

// generatorProcs is SetGeneratorProcs's bound (0: none).
var generatorProcs atomic.Int32

// SetGeneratorProcs makes Load run the load generator with at most n
// processors of Go's scheduler (GOMAXPROCS), restored after each run; 0
// leaves the process's own. The generator shares the machine's cores with
// the server it measures: each of its threads that runs takes a core from
// the server, whose requests then wait for one (the tail of their
// latency). The raw JetStream baselines, which run in this process, are
// not bound.
func SetGeneratorProcs(n int) { generatorProcs.Store(int32(max(n, 0))) }

// Load runs op on workers goroutines for d (each worker one operation at
// a time) and measures it. An operation under way at the end runs to its
// end (cutting it short would count as a failure on both sides) and is
// counted.
func Load(ctx context.Context, name string, workers int, d time.Duration, op Op) Result {
	if n := generatorProcs.Load(); n > 0 {
		prev := runtime.GOMAXPROCS(int(n))
		defer runtime.GOMAXPROCS(prev)
	}
	deadline := time.Now().Add(d)
	type acc struct {
		lat    []time.Duration
		errs   int
		first  error
		firstT time.Time
	}
	accs := make([]acc, workers)
	serverCPU, _ := ctx.Value(serverCPUKey{}).(func() time.Duration)
	var srv0 time.Duration
	if serverCPU != nil {
		srv0 = serverCPU()
	}
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &accs[w]
			for i := 0; ctx.Err() == nil && time.Now().Before(deadline); i++ {
				t0 := time.Now()
				lat, err := op(ctx, w, i)
				if ctx.Err() != nil {
					return // interrupted: not counted
				}
				if err != nil {
					if a.errs == 0 {
						a.first, a.firstT = err, time.Now()
					}
					a.errs++
					continue
				}
				if lat == 0 {
					lat = time.Since(t0)
				}
				a.lat = append(a.lat, lat)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	r := Result{Name: name, Duration: el, GenCPU: cpuTime() - cpu0}
	if serverCPU != nil {
		r.ServerCPU = serverCPU() - srv0
	}
	var all []time.Duration
	var firstT time.Time
	for _, a := range accs {
		all = append(all, a.lat...)
		r.Errors += a.errs
		if a.first != nil && (firstT.IsZero() || a.firstT.Before(firstT)) {
			firstT, r.FirstError = a.firstT, a.first.Error()
		}
	}
	r.Requests = len(all)
	r.Rate = float64(len(all)) / el.Seconds()
	r.P50, r.P99 = Percentile(all, 0.50), Percentile(all, 0.99)
	return r
}

// Percentile returns the q-quantile of ds (sorting ds in place; 0 for
// none): the load runs' and jsbench's raw publish latencies.
func Percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// serverCPUKey carries the server's CPU meter in a Load's context.
type serverCPUKey struct{}

// WithServerCPU returns ctx carrying cpu, the server's CPU time so far
// (Server.CPU): Load then reports the server's CPU time of the run.
func WithServerCPU(ctx context.Context, cpu func() time.Duration) context.Context {
	return context.WithValue(ctx, serverCPUKey{}, cpu)
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Count runs per operations on each of workers goroutines and returns how
// many succeeded, how many failed and the first error.
func Count(ctx context.Context, workers, per int, op func(ctx context.Context, w, i int) error) (ok, failed int, first error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per && ctx.Err() == nil; i++ {
				err := op(ctx, w, i)
				mu.Lock()
				if err != nil {
					failed++
					if first == nil {
						first = err
					}
				} else {
					ok++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ok, failed, first
}

package api

import (
	"context"
	"crypto/subtle"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus collectors, in a registry of its own
// so that several servers (tests, instances) never clash.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	commands *prometheus.CounterVec
	rows     *prometheus.CounterVec

	// byRequest keeps the request counter and latency histogram of each
	// route, method and status seen, so that a request finds both in one
	// lookup instead of formatting its status and hashing its labels in
	// each vector (at most maxRequestSeries of them).
	mu        sync.RWMutex
	byRequest map[requestLabels]requestSeries
}

// requestLabels are the labels of a request's metrics.
type requestLabels struct {
	route, method string
	status        int
}

// requestSeries are the metrics of one requestLabels.
type requestSeries struct {
	n   prometheus.Counter
	lat prometheus.Observer
}

// maxRequestSeries bounds byRequest: past it (clients sending made-up
// methods to unknown routes), requests go to the vectors directly.
const maxRequestSeries = 4096

// newMetrics registers the collectors. lag, when not nil, reports how
// many stream sequences the read models are behind.
func newMetrics(lag func() (float64, bool)) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grants_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "grants_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grants_commands_total", Help: "Commands by type and outcome (ok, replayed, or the error code) and the rule violated.",
		}, []string{"type", "outcome", "rule"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "grants_bulk_rows_total", Help: "Rows of CSV uploads by outcome (accepted, refused) and rule.",
		}, []string{"outcome", "rule"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.commands, m.rows,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if lag != nil {
		m.registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "grants_projection_lag_events",
			Help: "How many events of the stream the read models have not applied yet (-1 when unknown).",
		}, func() float64 {
			v, ok := lag()
			if !ok {
				return -1
			}
			return v
		}))
	}
	return m
}

// handler serves /metrics.
func (m *metrics) handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry}))
}

// observe records one finished request.
func (m *metrics) observe(route, method string, status int, d time.Duration) {
	k := requestLabels{route: route, method: method, status: status}
	m.mu.RLock()
	rs, ok := m.byRequest[k]
	m.mu.RUnlock()
	if !ok {
		s := strconv.Itoa(status)
		rs = requestSeries{n: m.requests.WithLabelValues(route, method, s), lat: m.latency.WithLabelValues(route, method, s)}
		m.mu.Lock()
		if m.byRequest == nil {
			m.byRequest = map[requestLabels]requestSeries{}
		}
		if len(m.byRequest) < maxRequestSeries {
			m.byRequest[k] = rs
		}
		m.mu.Unlock()
	}
	rs.n.Inc()
	rs.lat.Observe(d.Seconds())
}

// command records a command outcome.
func (m *metrics) command(typ, outcome, rule string) {
	m.commands.WithLabelValues(typ, outcome, rule).Inc()
}

// lagFunc computes the projection lag from the stream's last sequence and
// the read models' checkpoint, bounded in time so a scrape never hangs.
func lagFunc(last func(context.Context) (uint64, error), checkpoint func() uint64) func() (float64, bool) {
	if last == nil || checkpoint == nil {
		return nil
	}
	return func() (float64, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		seq, err := last(ctx)
		if err != nil {
			return 0, false
		}
		cp := checkpoint()
		if cp >= seq {
			return 0, true
		}
		return float64(seq - cp), true
	}
}

// metricsToken tells the dedicated metrics bearer secret, if one is set.
func (s *Server) metricsToken(secret string) bool {
	want := s.d.MetricsToken
	return want != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

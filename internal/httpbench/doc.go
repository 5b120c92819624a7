// Package httpbench drives a running grants serve over HTTP for grants
// bench: a load generator over a fixed number of keep-alive connections
// that reports rates, latency percentiles and its own CPU time (load.go),
// the server run as a child process whose resident memory is read from
// /proc (server.go), and the seeding of organisations, projects and
// mobilities straight into the event store before the server starts
// (seed.go). It is a benchmark helper: no production package imports it.
package httpbench

// Package rates holds the unit-cost rates table keyed by call year
// (embedded JSON data, overridable from a file) and the grant calculator
// that explains every amount it computes. It is pure: no I/O beyond
// reading an override file on request.
package rates

// Package projections is the read side of the grant ledger: the views the
// HTTP API returns, the Reader interface it queries, and the Source the
// projector consumes. It is pure: it imports no SQL, NATS or HTTP package.
// The SQLite implementation lives in projections/sqlite.
//
// Read models are eventually consistent with the event stream. Every view
// carries the stream sequence it reflects, and Reader.WaitFor lets a caller
// that just wrote an event wait until the read models include it
// (read-your-writes).
//
// Conventions: JSON tags are snake_case; money is int64 euro cents in
// fields named *_cents; calendar dates are strings "2006-01-02" (empty when
// unknown); instants are time.Time in UTC.
package projections

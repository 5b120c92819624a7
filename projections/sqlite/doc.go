// Package sqlite keeps the read models of the grant ledger in one SQLite
// file and implements projections.Reader on it.
//
// The Projector consumes the event stream from the checkpoint stored in the
// file, applies events in batches, one transaction per batch with the new
// checkpoint (and the hash of its event) written in the same transaction:
// after a crash at any point the tables hold exactly the events up to the
// checkpoint, and the projector resumes from there (exactly once). An event
// type without a projection stops it with an error wrapping
// ErrUnknownEvent; a stream that is not the one the file was built from
// stops it with ErrStreamMismatch.
//
// Rebuild builds every read model from sequence 1 (or up to an Until bound)
// into a new file in bulk mode: no journal, no fsync until the end, no
// mutexes, a small page cache; rows appended in rowid order with every
// secondary index dropped (mobilities_key and participants_key too: the
// projector remembers those rows' rowids instead, in maps keyed by a hash
// of the key, see rowslots.go), then the indexes sorted once on worker
// threads; organisations, projects, statistics and the last chunks of the
// audit posting lists kept in memory until the end. The audit log has no
// secondary index: the events of each organisation and aggregate are found
// through their posting lists (audit_postings, postings.go). Manager serves `grants serve`:
// it swaps a rebuilt generation (grants.db.gen-<n>, named in the pointer
// file grants.db.current) in atomically while queries keep being answered,
// and rebuilds by itself when the file has another schema or stream.
//
// The schema is in migrations/*.sql, documented table by table for analysts
// who open the file with the sqlite3 shell. Personal data of participants
// are only in the participants table.
//
// Hot path: the reader decodes events and hands them to the writer in
// chunks; writes go through the driver's exported API directly (wconn);
// the audit log, mobility and participant rows are queued and written 32
// at a time by a prepared multi-row INSERT, which the driver binds and
// steps in one cgo call (rowBuffer, multirow.go); and the payloads
// of reported and corrected mobilities are read by a small JSON reader
// (fastjson.go) whose strings alias the payload, checked against
// encoding/json by property tests. The flat payloads of the other frequent
// types (payments, cancellations, decisions, reports) are filled field by
// field from a table built once per type (flatjson.go); statistics rows are
// found by a 64-bit packing of their dimensions (statkeys.go).
package sqlite

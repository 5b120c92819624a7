// Package sqlite keeps the read models of the grant ledger in one SQLite
// file and implements projections.Reader on it.
//
// The Projector consumes the event stream from the checkpoint stored in the
// file, applies events in batches, one transaction per batch with the new
// checkpoint written in the same transaction: after a crash at any point the
// tables hold exactly the events up to the checkpoint, and the projector
// resumes from there (exactly once).
//
// Rebuild builds every read model from sequence 1 into a new file (blue/green)
// and Manager swaps the live file for a rebuilt one atomically while queries
// keep being answered. The schema is in migrations/*.sql, documented table by
// table for analysts who open the file with the sqlite3 shell.
package sqlite

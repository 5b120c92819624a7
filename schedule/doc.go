// Package schedule runs the ledger's deadlines: periodically, the one
// instance of `grants serve` that holds a lease asks the domain to record
// the reminders and overdue flags due on the projects that may owe one
// (LIFE-REPORT-DUE, LIFE-ASSESS-DUE).
//
// Exactly once does not rest on the lease: every flag is decided as a
// command through the command handler, whose optimistic concurrency makes
// a second identical decision reload the project, find the flag recorded
// and write nothing. The lease only keeps the other instances from doing
// the same scan at the same time. The lease is an interface of this
// package; schedule/jetstream implements it on a JetStream key-value
// bucket (a key with a TTL, created and renewed by revision).
package schedule

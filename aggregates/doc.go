// Package aggregates is the pure grant domain: the Organisation and Project
// aggregates, their commands and events, and every rule of
// ../shared/domain/RULES.md, cited by rule ID. It imports no NATS, SQL or
// HTTP package and never reads the system clock: the effective time of a
// command comes in its Context.
//
// A command is decided from state into events (Domain.Decide) and state is
// rebuilt by the pure Evolve. State is kept per organisation (Portfolio),
// because several rules span the aggregates of one organisation; commands
// whose rules do so report OrgWide() and are appended with the
// organisation-wide consistency boundary of the event store.
package aggregates

// Package command is the command side's application service: it turns a
// command into stored events. For each command it locates the aggregate,
// brings the organisation's cached state up to date with only the newer
// events, asks the pure domain to decide, appends the events with optimistic
// concurrency (the aggregate's head, or the whole organisation for OrgWide
// commands), retries a bounded number of times on a conflict, and keeps an
// idempotency record so that a retried command returns its first answer.
//
// It depends only on the events.Store and events.IdempotencyStore
// interfaces, never on NATS.
package command

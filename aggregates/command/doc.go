// Package command is the command side's application service: it turns a
// command into stored events. For each command it locates the aggregate,
// brings the organisation's cached state up to date with only the newer
// events, asks the pure domain to decide, appends the events with optimistic
// concurrency (the aggregate's head, or the whole organisation for OrgWide
// commands), and retries a bounded number of times on a conflict. A keyed
// command's events carry its key and the start of its fingerprint: the
// store's deduplication by the key (atomic, over the duplicate window) and
// the events themselves (at any time) are the key's only record, so a
// retried command returns its first answer and a key reused for another
// command is refused, with no write beside the events.
//
// It depends only on the events.Store interface, never on NATS.
package command

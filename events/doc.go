// Package events holds the event envelope, the event-type registry, the hash
// chain and the Store interface of the grant ledger. It is pure: it imports no
// NATS, SQL or HTTP package. The JetStream implementation lives in
// events/jetstream.
//
// # Subject scheme
//
// Every event is one message on the stream GRANTS. Its subject names the
// aggregate, and the aggregate's organisation first, so that one organisation
// is a consistency boundary reachable with a wildcard:
//
//	grants.<org>.<kind>.<id>
//
//	grants.FI12345678.organisation.FI12345678   an organisation and its accreditations
//	grants.FI12345678.project.2024-1-FI01-KA122-SCH-000123456
//	                                            a project (application, decision,
//	                                            agreement, payments, mobilities, reports)
//
// <org> is the organisation's OID (for a project: the applicant's), <kind> is
// the aggregate kind and <id> the aggregate's ID. Tokens are limited to
// [A-Za-z0-9_-] (see ValidToken) so that no ID can inject a NATS wildcard or
// separator.
//
//   - One aggregate:      grants.<org>.<kind>.<id>  checked with
//     Nats-Expected-Last-Subject-Sequence (optimistic concurrency per aggregate).
//   - One organisation:   grants.<org>.>  checked with
//     Nats-Expected-Last-Subject-Sequence-Subject: grants.<org>.> plus
//     Nats-Expected-Last-Subject-Sequence, for rules that span several
//     aggregates of one organisation (KA122-MAX-PROJECTS, CALL-ONE-PER-ROUND).
//   - Everything:         grants.>  (projectors, replay, export).
//
// # Headers
//
// Metadata travels in a NATS header, the JSON payload in the body, so that
// `nats stream view GRANTS` shows readable events. Wire format 2 (written
// since the replay work of issue 4) packs the envelope into the one header
// Grants-Event, sixteen fields separated by "|":
//
//	2|<event id>|<version>|<type>|<schema version, empty for 1>|<recorded at>|
//	<occurred at, empty when equal>|<actor user>|<actor role>|<actor org>|
//	<correlation id>|<causation id>|<idempotency key>|<reason>|<prev hash>|<hash>
//
// (one line). A free-text value that a header would not carry verbatim, or
// that contains "|", is written as "b64:" + base64url(value). Wire format 1,
// one Grants-* header per field (the HeaderXxx constants), is still read.
// See Envelope for the fields.
package events

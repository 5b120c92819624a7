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
// # Wire format 3: a CloudEvent
//
// Since issue 12 every event is written as a CloudEvents 1.0 event in the
// structured content mode of the CloudEvents NATS protocol binding: the
// message body is the event in the CloudEvents JSON format, so that
// `nats stream view GRANTS` and any CloudEvents library show every
// attribute by name; NATS's own headers (Nats-Msg-Id, the concurrency
// headers) are the only headers. The attributes, in the order written:
//
//	specversion       "1.0"
//	id                the event ID (UUID v7)
//	source            "/grants/<org>"
//	type              the registered event type
//	subject           "<kind>/<id>", the aggregate
//	time              when the ledger recorded the event (RFC 3339, UTC)
//	datacontenttype   "application/json"
//	schemaversion     the payload's schema version (extension)
//	aggregate         the aggregate's NATS subject grants.<org>.<kind>.<id>
//	aggregateversion  the event's version within its aggregate
//	effectivetime     the effective (business) time, when it differs from time
//	actoruser, actorrole, actororg, correlationid, causationid,
//	idempotencykey, reason
//	                  the command's metadata (left out when empty)
//	prevhash, hash    the hash chain (see Envelope.Hash)
//	keyid, signature  the service key and its Ed25519 signature of
//	                  "grants-event-v1\n" + hash (see SigningInput)
//	data              the payload, as hashed
//
// A string JSON would not carry byte for byte (invalid UTF-8), or one that
// starts with "b64:", is written as "b64:" + base64url(value). The binary
// mode (one "ce-" header per attribute) was measured and refused: the Go
// client parses every header of every message into a map, about 6 us for
// an event's twenty headers against 0.6 us for one, seconds of a replay.
//
// # Signatures
//
// Every event is signed by the service (Build with a Signer; the keys live
// in <data-dir>/signing, see events/keys). The signature covers the hash,
// which covers the previous hash and every field, so a correctly chained
// forgery written without the key is caught by KeyRing.Verify. Events
// written before signing (wire formats 1 and 2) carry no signature: they
// are "legacy" and are trusted only as far as a signed checkpoint covers
// them.
//
// # Checkpoints and verification
//
// The service writes signed checkpoints (Checkpoint) on the subject
// grants.checkpoint of the stream itself: the digest of the heads (last
// valid event) of every chain as of a stream sequence, and the sequences
// it refused. Readers of events skip them. A replay authenticates the
// events up to the newest checkpoint by recomputing their chains up to its
// heads and checks the signature of each later event; ChainState is the
// one check of an aggregate's events that verification (StreamVerifier,
// VerifyStore), the projector and the command handler share. An event that
// fails it never counts: its aggregate is damaged until the national
// office records a DamageResolvedType event naming its sequence (see the
// README).
//
// # Older wire formats, still read
//
// Wire format 2 (issue 4 to issue 12) packed the envelope into the one
// header Grants-Event, sixteen fields separated by "|":
//
//	2|<event id>|<version>|<type>|<schema version, empty for 1>|<recorded at>|
//	<occurred at, empty when equal>|<actor user>|<actor role>|<actor org>|
//	<correlation id>|<causation id>|<idempotency key>|<reason>|<prev hash>|<hash>
//
// (one line), the payload being the body. A free-text value that a header
// would not carry verbatim, or that contains "|", is written as "b64:" +
// base64url(value). Wire format 1, one Grants-* header per field (the
// HeaderXxx constants), is read too. See Envelope for the fields.
package events

-- 0007: provenance (issue 12). The projector applies only events that pass
-- their checks (events.ChainState: the content matches its hash, a service
-- key signed it, it follows its aggregate's last valid event); the others
-- are kept out of every read model and listed here.
--
-- chain_heads: the last valid event of every aggregate, as the projector
-- stands; it carries the checks on from one batch, or one start, to the
-- next.
CREATE TABLE chain_heads (
    subject  TEXT PRIMARY KEY,  -- the aggregate's NATS subject grants.<org>.<kind>.<id>
    version  INTEGER NOT NULL,  -- its last valid event's version within the aggregate
    sequence INTEGER NOT NULL,  -- and stream sequence
    hash     TEXT NOT NULL      -- and hash (hex)
) WITHOUT ROWID;

-- quarantine: the events the projector refused. The national office sees
-- them (GET /v1/audit/quarantine) and deals with each by recording a
-- ledger.damage_resolved event on the aggregate, which fills resolved_by.
--   SELECT sequence, subject, type, reason FROM quarantine WHERE resolved_by IS NULL;
CREATE TABLE quarantine (
    sequence       INTEGER PRIMARY KEY, -- the event's stream sequence
    subject        TEXT NOT NULL,       -- its NATS subject (grants.<org>.<kind>.<id>)
    org            TEXT NOT NULL,       -- the aggregate it names: organisation,
    aggregate_kind TEXT NOT NULL,       -- kind
    aggregate_id   TEXT NOT NULL,       -- and ID
    type           TEXT NOT NULL,       -- the event type it claims
    version        INTEGER NOT NULL,    -- the version it claims
    kind           TEXT NOT NULL,       -- what failed: unsigned, signature, hash, chain, unreadable, refused
    reason         TEXT NOT NULL,       -- in words
    recorded_at    TEXT NOT NULL,       -- the time it claims to have been recorded (RFC 3339)
    resolved_by    INTEGER              -- the sequence of the resolution event, once dealt with
);

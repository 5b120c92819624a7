-- 0005: the audit log's two indexes, (org, sequence) and (aggregate_id,
-- sequence), become posting lists: for every organisation and every
-- aggregate, the sequences of its events in audit_log, in order, kept in
-- chunks of up to 256. The projector appends to the last chunk as events
-- arrive; a rebuild collects the lists in memory and writes about 20 000
-- chunks instead of sorting two million index entries at its end (those two
-- sorts were about a sixth of a replay's time). The audit queries of the API
-- read the chunks in order and fetch the rows by sequence, so a page of an
-- organisation's or an aggregate's history costs what it did with the
-- indexes.
--
-- audit_postings: where the events of each organisation and of each
-- aggregate are in audit_log. An analyst lists an organisation's history
-- with
--   SELECT a.* FROM audit_postings p, json_each(p.sequences) s
--     JOIN audit_log a ON a.sequence = s.value
--    WHERE p.kind = 'org' AND p.key = 'E10000001'
--    ORDER BY a.sequence;
-- (kind 'aggregate' and the aggregate's ID for one project, organisation
-- or accreditation).
CREATE TABLE audit_postings (
    kind           TEXT NOT NULL,    -- 'org': every event of the organisation's aggregates (audit_log.org);
                                     -- 'aggregate': the events of one aggregate (audit_log.aggregate_id)
    key            TEXT NOT NULL,    -- the organisation's OID or the aggregate's ID
    chunk          INTEGER NOT NULL, -- 0, 1, 2...: chunk n lists the key's events 256n to 256n+255
    first_sequence INTEGER NOT NULL, -- the chunk's first and last sequence
    last_sequence  INTEGER NOT NULL,
    events         INTEGER NOT NULL, -- how many sequences the chunk lists (256 but in the last chunk)
    sequences      TEXT NOT NULL,    -- JSON array of audit_log.sequence, ascending, e.g. [7,12,40]
    PRIMARY KEY (kind, key, chunk)
) WITHOUT ROWID;

-- The lists of the events already in the file, chunked as the projector
-- chunks them.
INSERT INTO audit_postings (kind, key, chunk, first_sequence, last_sequence, events, sequences)
SELECT 'org', org, n / 256, MIN(sequence), MAX(sequence), COUNT(*), json_group_array(sequence ORDER BY sequence)
  FROM (SELECT org, sequence, row_number() OVER (PARTITION BY org ORDER BY sequence) - 1 AS n FROM audit_log)
 GROUP BY org, n / 256;
INSERT INTO audit_postings (kind, key, chunk, first_sequence, last_sequence, events, sequences)
SELECT 'aggregate', aggregate_id, n / 256, MIN(sequence), MAX(sequence), COUNT(*), json_group_array(sequence ORDER BY sequence)
  FROM (SELECT aggregate_id, sequence, row_number() OVER (PARTITION BY aggregate_id ORDER BY sequence) - 1 AS n FROM audit_log)
 GROUP BY aggregate_id, n / 256;

DROP INDEX audit_log_org;
DROP INDEX audit_log_aggregate;

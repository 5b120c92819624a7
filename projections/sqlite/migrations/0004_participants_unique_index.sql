-- participants: the key (org, id) becomes a unique index of a rowid table
-- instead of the primary key of a WITHOUT ROWID table, as 0003 did for
-- mobilities. Same columns, same rows, same uniqueness; but a rebuild now
-- appends the rows in stream order and sorts the key once at the end,
-- instead of inserting every participant at its place in the key order
-- (about a tenth of a replay's time before this migration).
--
-- participants: PERSONAL DATA of participants, keyed by organisation and
-- pseudonymous ID. Kept apart from every other table; never exposed to
-- analysts (statistics and exports use the pseudonymous ID only).
CREATE TABLE participants_0004 (
    org         TEXT NOT NULL,    -- the organisation that reported the participant
    id          TEXT NOT NULL,    -- pseudonymous participant ID, as in mobilities
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    email       TEXT NOT NULL,
    gender      TEXT NOT NULL,
    nationality TEXT NOT NULL,
    sequence    INTEGER NOT NULL  -- stream sequence of the last report of these data
);
INSERT INTO participants_0004 SELECT * FROM participants ORDER BY sequence;
DROP TABLE participants;
ALTER TABLE participants_0004 RENAME TO participants;
-- The key of a participant: one row per organisation and participant ID.
CREATE UNIQUE INDEX participants_key ON participants (org, id);

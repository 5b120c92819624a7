-- mobilities: the key (project_id, id) becomes a unique index instead of
-- a table constraint. Same columns, same rows, same uniqueness; but a
-- rebuild can now drop the index while it loads the rows in stream order
-- and build it once, sorted, at the end, instead of keeping it up to date
-- row by row (the costliest part of a replay before this migration).
-- The index mobilities_org goes: an organisation's mobilities are found
-- through its projects (projects_org, then mobilities_key), and a rebuild
-- no longer sorts every mobility a second time.
CREATE TABLE mobilities_0003 (
    project_id          TEXT NOT NULL,
    id                  TEXT NOT NULL,    -- mobility ID within the project
    org                 TEXT NOT NULL,    -- beneficiary
    participant_id      TEXT NOT NULL,    -- pseudonymous participant ID
    action              TEXT NOT NULL,
    call_year           INTEGER NOT NULL,
    activity            TEXT NOT NULL,    -- Beneficiary Module code, e.g. SM-JOB-SHDW
    sending_country     TEXT NOT NULL,
    receiving_country   TEXT NOT NULL,
    receiving_city      TEXT NOT NULL,
    sending_org         TEXT NOT NULL,
    receiving_org       TEXT NOT NULL,
    start_date          TEXT NOT NULL,
    end_date            TEXT NOT NULL,
    days                INTEGER NOT NULL, -- start to end inclusive, travel excluded
    travel_days         INTEGER NOT NULL,
    distance_km         INTEGER NOT NULL, -- distance used for the travel band
    green_travel        INTEGER NOT NULL,
    fewer_opportunities INTEGER NOT NULL,
    ukraine_exception   INTEGER NOT NULL,
    accompanying        INTEGER NOT NULL, -- accompanying person
    group_id            TEXT NOT NULL,    -- pupil group
    persons             INTEGER NOT NULL, -- persons of a preparatory visit
    status              TEXT NOT NULL,    -- reported, corrected or cancelled
    grant_cents         INTEGER NOT NULL, -- total of lines_json
    lines_json          TEXT NOT NULL,
    reported_on         TEXT NOT NULL,
    changed_on          TEXT NOT NULL,    -- date of the last correction or the cancellation
    revision            INTEGER NOT NULL, -- corrections so far
    sequence            INTEGER NOT NULL  -- stream sequence of the last event that changed the row
);
INSERT INTO mobilities_0003 SELECT * FROM mobilities ORDER BY sequence;
DROP TABLE mobilities;
ALTER TABLE mobilities_0003 RENAME TO mobilities;
-- The key of a mobility: one row per project and mobility ID.
CREATE UNIQUE INDEX mobilities_key ON mobilities (project_id, id);

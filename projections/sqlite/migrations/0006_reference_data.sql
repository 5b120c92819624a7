-- 0006: the reference data the national office publishes as events
-- (issue 14): call rounds and rates tables. The ledger ships built-in
-- tables (aggregates.DefaultDeadlines, aggregates/rates/data) which these
-- rows replace per call year, round and action (call_rounds) or per call
-- year (rates_tables); a round or a year without a row here is the
-- built-in one. GET /v1/calls and /v1/rates show the merged tables.
--
-- call_rounds: one row per round the office published or corrected.
-- An analyst lists the rounds still open on a day with
--   SELECT * FROM call_rounds WHERE deadline >= '2027-02-01' ORDER BY deadline;
-- (a round closes at 12:00 Brussels time on its deadline day).
CREATE TABLE call_rounds (
    call_year         INTEGER NOT NULL,
    round             INTEGER NOT NULL,  -- 1, 2, ...
    action            TEXT NOT NULL,     -- KA121, KA122, KA210, KA220, KA202
    fields            TEXT NOT NULL,     -- JSON array of fields the round is open in; [] = every field
    deadline          TEXT NOT NULL,     -- YYYY-MM-DD; the round closes at 12:00 Brussels time that day
    start_from        TEXT NOT NULL,     -- YYYY-MM-DD first allowed project start, '' = unbounded (CALL-START)
    start_to          TEXT NOT NULL,     -- YYYY-MM-DD last allowed project start, '' = unbounded
    origin            TEXT NOT NULL,     -- 'published' (CallRoundPublished) or 'corrected' (CallRoundCorrected)
    previous_deadline TEXT NOT NULL,     -- the deadline before the last correction ('' if never corrected)
    reason            TEXT NOT NULL,     -- why the office corrected it ('' if never corrected)
    changed_on        TEXT NOT NULL,     -- YYYY-MM-DD of the last publication or correction
    sequence          INTEGER NOT NULL,  -- stream sequence of that event (audit_log.sequence)
    PRIMARY KEY (call_year, round, action)
);

-- rates_tables: one row per call year whose rates table the office
-- published or corrected. Grants already computed keep their amounts when
-- a table is corrected; GrantsRecomputed events in audit_log say when the
-- office recomputed a project's grants (the changed mobilities follow as
-- MobilityCorrected events).
CREATE TABLE rates_tables (
    call_year   INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,     -- where the figures come from
    confirmed   INTEGER NOT NULL,  -- 1 once the national office confirmed the figures
    corrections INTEGER NOT NULL,  -- how many times the table was corrected since it was published
    table_json  TEXT NOT NULL,     -- the whole table, as GET /v1/rates/{year} shows it
    reason      TEXT NOT NULL,     -- why it was last corrected ('' if never)
    changed_on  TEXT NOT NULL,     -- YYYY-MM-DD of the last publication or correction
    sequence    INTEGER NOT NULL   -- stream sequence of that event
);

-- Read models of the Erasmus+ grant ledger.
--
-- Every table here is derived from the event stream GRANTS and can be rebuilt
-- from it at any time (`grants replay`). Nothing here is the system of
-- record: the events are. Conventions:
--   * money is INTEGER euro cents in columns named *_cents;
--   * calendar dates are TEXT 'YYYY-MM-DD' ('' when unknown);
--   * instants are TEXT RFC 3339 in UTC with nanoseconds;
--   * booleans are INTEGER 0 or 1;
--   * "sequence" is the stream sequence of the last event that changed a row.
--
-- Open with:  sqlite3 data/grants.db   then e.g.  .tables   .schema projects
--
-- Pages are 16 KiB (set when the file is created): fewer, fuller pages
-- make a replay markedly faster for these wide rows.

-- checkpoint: the one row telling up to which stream sequence the read models
-- include every event. It is written in the same transaction as the rows an
-- event batch changes, so the tables are always exactly "all events up to
-- sequence".
CREATE TABLE checkpoint (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sequence    INTEGER NOT NULL,  -- last stream sequence applied
    recorded_at TEXT NOT NULL      -- recorded time of that event ('' before the first)
);
INSERT INTO checkpoint (id, sequence, recorded_at) VALUES (1, 0, '');

-- organisations: every organisation registered in the ledger.
CREATE TABLE organisations (
    oid           TEXT PRIMARY KEY, -- organisation ID (e.g. E10123456)
    name          TEXT NOT NULL,    -- legal name
    country       TEXT NOT NULL,    -- ISO 3166-1 alpha-2 of its seat (EL for Greece)
    city          TEXT NOT NULL,
    kind          TEXT NOT NULL,    -- school, vet-provider, adult-education, ...
    registered_at TEXT NOT NULL,    -- when the organisation was first recorded (occurred time)
    project_count INTEGER NOT NULL DEFAULT 0, -- projects applied for
    version       INTEGER NOT NULL, -- version of the organisation aggregate
    sequence      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX organisations_country ON organisations (country, oid);

-- accreditations: every Erasmus accreditation application (KA120) and its outcome.
CREATE TABLE accreditations (
    id             TEXT PRIMARY KEY, -- accreditation ID
    org            TEXT NOT NULL,    -- applicant (consortium coordinator for a consortium)
    field          TEXT NOT NULL,    -- school, adult or vet
    kind           TEXT NOT NULL,    -- single or consortium
    year           INTEGER NOT NULL, -- year of the application
    status         TEXT NOT NULL,    -- applied, granted, rejected or withdrawn
    outcome        TEXT NOT NULL,    -- decision: granted or rejected ('' while pending)
    plan_from_year INTEGER NOT NULL, -- years the Erasmus plan covers
    plan_to_year   INTEGER NOT NULL,
    applied_on     TEXT NOT NULL,
    decided_on     TEXT NOT NULL,    -- '' while pending
    withdrawn_on   TEXT NOT NULL,    -- '' unless withdrawn
    sequence       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX accreditations_org ON accreditations (org, id);

-- projects: one row per project (application, decision, agreement, payments,
-- mobilities and reports in summary). remaining_cents = awarded - reported.
CREATE TABLE projects (
    id                 TEXT PRIMARY KEY, -- project number
    org                TEXT NOT NULL,    -- applicant / beneficiary OID
    title              TEXT NOT NULL,
    action             TEXT NOT NULL,    -- KA121, KA122, KA210, KA220, KA202
    field              TEXT NOT NULL,    -- vet, school, adult, higher-education, youth
    call_year          INTEGER NOT NULL,
    round              INTEGER NOT NULL,
    consortium         INTEGER NOT NULL,
    status             TEXT NOT NULL,    -- submitted, eligible, approved, ongoing, closed, ...
    partners_json      TEXT NOT NULL,    -- JSON array of {oid, name, country, role}
    start_date         TEXT NOT NULL,
    end_date           TEXT NOT NULL,
    submitted_on       TEXT NOT NULL,
    decided_on         TEXT NOT NULL,
    signed_on          TEXT NOT NULL,
    agreement_no       TEXT NOT NULL,
    closed_on          TEXT NOT NULL,    -- closed or terminated on
    requested_cents    INTEGER NOT NULL, -- grant applied for
    awarded_cents      INTEGER NOT NULL, -- grant awarded, amendments included
    reported_cents     INTEGER NOT NULL, -- sum of the grants of the mobilities not cancelled
    remaining_cents    INTEGER GENERATED ALWAYS AS (awarded_cents - reported_cents) VIRTUAL,
    paid_cents         INTEGER NOT NULL, -- payments less recoveries
    final_cents        INTEGER NOT NULL, -- final grant after the final report's assessment
    ukraine_exception  INTEGER NOT NULL, -- the Ukraine exception applies (UA-SCOPE)
    mobilities         INTEGER NOT NULL, -- mobilities not cancelled
    counted_mobilities INTEGER NOT NULL, -- of which count toward KA122-MAX-MOB
    cancelled          INTEGER NOT NULL, -- cancelled mobilities
    payments           INTEGER NOT NULL, -- payments and recoveries recorded
    reports            INTEGER NOT NULL, -- interim and final reports submitted
    version            INTEGER NOT NULL, -- version of the project aggregate
    sequence           INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX projects_org ON projects (org, call_year);

-- mobilities: every reported mobility with its grant breakdown. The
-- participant appears only by a pseudonymous ID; personal data are in
-- participants. lines_json is the breakdown: a JSON array of
-- {category, rule, explanation, amount_cents} (query it with json_each).
CREATE TABLE mobilities (
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
    sequence            INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX mobilities_org ON mobilities (org, project_id, id);

-- participants: PERSONAL DATA of participants, keyed by organisation and
-- pseudonymous ID. Kept apart from every other table; never exposed to
-- analysts (statistics and exports use the pseudonymous ID only).
CREATE TABLE participants (
    org         TEXT NOT NULL,
    id          TEXT NOT NULL,
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    email       TEXT NOT NULL,
    gender      TEXT NOT NULL,
    nationality TEXT NOT NULL,
    sequence    INTEGER NOT NULL,
    PRIMARY KEY (org, id)
) WITHOUT ROWID;

-- payments: payments to and recoveries from beneficiaries. amount_cents is
-- always positive; kind 'recovery' was paid back.
CREATE TABLE payments (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL,
    org            TEXT NOT NULL,
    kind           TEXT NOT NULL,    -- pre-financing, balance or recovery
    amount_cents   INTEGER NOT NULL,
    net_paid_cents INTEGER NOT NULL, -- net paid to the project after this payment
    paid_on        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    sequence       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX payments_project ON payments (project_id, sequence);

-- reports: interim and final reports of projects and their assessment.
CREATE TABLE reports (
    project_id     TEXT NOT NULL,
    id             TEXT NOT NULL,    -- report ID; 'final' for the final report
    org            TEXT NOT NULL,
    kind           TEXT NOT NULL,    -- interim or final
    status         TEXT NOT NULL,    -- submitted or assessed
    summary        TEXT NOT NULL,
    submitted_on   TEXT NOT NULL,
    late           INTEGER NOT NULL, -- final report more than 60 days after the end
    mobilities     INTEGER NOT NULL,
    reported_cents INTEGER NOT NULL,
    outcome        TEXT NOT NULL,    -- accepted, reduced, ... ('' until assessed)
    assessed_on    TEXT NOT NULL,
    final_cents    INTEGER NOT NULL,
    balance_cents  INTEGER NOT NULL, -- to pay (positive) or recover (negative)
    score          INTEGER NOT NULL,
    note           TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    PRIMARY KEY (project_id, id)
) WITHOUT ROWID;

-- audit_log: every event of the ledger, in stream order, with who, when,
-- why and its link in the aggregate's hash chain.
CREATE TABLE audit_log (
    sequence       INTEGER PRIMARY KEY, -- global stream sequence
    event_id       TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,       -- when the ledger recorded it
    occurred_at    TEXT NOT NULL,       -- effective (business) time
    actor_user     TEXT NOT NULL,
    actor_role     TEXT NOT NULL,
    actor_org      TEXT NOT NULL,
    org            TEXT NOT NULL,       -- organisation of the aggregate
    aggregate_kind TEXT NOT NULL,       -- organisation or project
    aggregate_id   TEXT NOT NULL,
    version        INTEGER NOT NULL,    -- position within the aggregate
    type           TEXT NOT NULL,       -- event type
    summary        TEXT NOT NULL,       -- one-line human description
    reason         TEXT NOT NULL,       -- why, as given with the command
    correlation_id TEXT NOT NULL,
    hash           TEXT NOT NULL,
    prev_hash      TEXT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org, sequence);
CREATE INDEX audit_log_aggregate ON audit_log (aggregate_id, sequence);

-- stat_mobilities: analysts' mobility statistics, one row per combination
-- of the dimensions; cancelled mobilities are not counted, corrections move
-- a mobility between rows. participants counts persons who are not
-- accompanying (a preparatory visit counts its persons).
CREATE TABLE stat_mobilities (
    call_year           INTEGER NOT NULL,
    action              TEXT NOT NULL,
    field               TEXT NOT NULL,
    activity            TEXT NOT NULL,
    sending_country     TEXT NOT NULL,
    receiving_country   TEXT NOT NULL,
    green_travel        INTEGER NOT NULL,
    fewer_opportunities INTEGER NOT NULL,
    ukraine_exception   INTEGER NOT NULL,
    mobilities          INTEGER NOT NULL,
    participants        INTEGER NOT NULL,
    accompanying        INTEGER NOT NULL,
    days                INTEGER NOT NULL,
    grant_cents         INTEGER NOT NULL,
    PRIMARY KEY (call_year, action, field, activity, sending_country, receiving_country,
                 green_travel, fewer_opportunities, ukraine_exception)
) WITHOUT ROWID;

-- stat_accreditations: accreditation applications by year, field, kind
-- (single or consortium) and outcome (pending, granted, rejected, or
-- withdrawn before a decision). A granted accreditation withdrawn later
-- stays counted as granted: this is the record of decisions.
CREATE TABLE stat_accreditations (
    year         INTEGER NOT NULL,
    field        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    applications INTEGER NOT NULL,
    PRIMARY KEY (year, field, kind, outcome)
) WITHOUT ROWID;

-- stat_accreditation_summary: stat_accreditations in the shape of the
-- national office's published figures (RULES.md section 7).
CREATE VIEW stat_accreditation_summary AS
SELECT year, field,
       SUM(applications)                                                   AS applied,
       SUM(CASE WHEN kind = 'consortium' THEN applications ELSE 0 END)     AS applied_consortia,
       SUM(CASE WHEN kind = 'single' AND outcome = 'granted' THEN applications ELSE 0 END) AS granted_organisations,
       SUM(CASE WHEN kind = 'consortium' AND outcome = 'granted' THEN applications ELSE 0 END) AS granted_consortia,
       SUM(CASE WHEN outcome = 'rejected' THEN applications ELSE 0 END)    AS rejected,
       SUM(CASE WHEN outcome IN ('pending', 'withdrawn') THEN applications ELSE 0 END) AS pending
FROM stat_accreditations
GROUP BY year, field;

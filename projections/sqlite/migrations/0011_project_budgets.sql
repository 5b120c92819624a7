-- project_budgets: each project's budget by category as its status shows
-- it: the grant lines of the mobilities not cancelled, summed by category.
-- The projector keeps the rows up to date in the same transaction as the
-- mobility rows, so that a project's status reads a handful of rows
-- instead of decoding every mobility of the project.
CREATE TABLE project_budgets (
    project_id   TEXT NOT NULL,
    category     TEXT NOT NULL,    -- budget category of the lines
    amount_cents INTEGER NOT NULL, -- sum of the lines' amounts
    lines        INTEGER NOT NULL, -- grant lines of the category (one per mobility, as a rule)
    rules_json   TEXT NOT NULL,    -- lines per rule ID: {"BUD-TRAVEL-BAND": 12}
    PRIMARY KEY (project_id, category)
) WITHOUT ROWID;

-- project_budget_examples: the distinct explanations of a category's lines
-- (empty explanations left out), how many live lines give each and the
-- first line that does, in mobility ID order then line order: the status
-- quotes the first three explanations of each category.
CREATE TABLE project_budget_examples (
    project_id     TEXT NOT NULL,
    category       TEXT NOT NULL,
    explanation    TEXT NOT NULL,
    lines          INTEGER NOT NULL, -- live lines with this explanation
    first_mobility TEXT NOT NULL,    -- mobility ID of the first of them
    first_line     INTEGER NOT NULL, -- its position in that mobility's lines
    PRIMARY KEY (project_id, category, explanation)
) WITHOUT ROWID;
CREATE INDEX project_budget_examples_first ON project_budget_examples (project_id, category, first_mobility, first_line);

-- A file that already holds mobilities gets its budgets from them.
WITH l AS (
    SELECT m.project_id, IFNULL(json_extract(j.value, '$.category'), '') AS category,
           IFNULL(json_extract(j.value, '$.rule'), '') AS rule, IFNULL(json_extract(j.value, '$.amount_cents'), 0) AS amount
    FROM mobilities m, json_each(m.lines_json) j WHERE m.status != 'cancelled'
), r AS (
    SELECT project_id, category, rule, COUNT(*) AS n, SUM(amount) AS amount FROM l GROUP BY project_id, category, rule ORDER BY project_id, category, rule
)
INSERT INTO project_budgets (project_id, category, amount_cents, lines, rules_json)
SELECT project_id, category, SUM(amount), SUM(n), IFNULL(json_group_object(rule, n) FILTER (WHERE rule != ''), '{}')
FROM r GROUP BY project_id, category;

WITH l AS (
    SELECT m.project_id, m.id, CAST(j.key AS INTEGER) AS line, IFNULL(json_extract(j.value, '$.category'), '') AS category,
           IFNULL(json_extract(j.value, '$.explanation'), '') AS explanation
    FROM mobilities m, json_each(m.lines_json) j WHERE m.status != 'cancelled'
), f AS (
    SELECT project_id, category, explanation, id, line,
           row_number() OVER (PARTITION BY project_id, category, explanation ORDER BY id, line) AS rn,
           COUNT(*) OVER (PARTITION BY project_id, category, explanation) AS n
    FROM l WHERE explanation != ''
)
INSERT INTO project_budget_examples (project_id, category, explanation, lines, first_mobility, first_line)
SELECT project_id, category, explanation, n, id, line FROM f WHERE rn = 1;

-- project_participants: how many live mobilities of a project each of its
-- participants has, so that projects.participants (the distinct
-- participants of the live mobilities) is kept as they change instead of
-- counted over every mobility of the project on each read.
CREATE TABLE project_participants (
    project_id     TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    mobilities     INTEGER NOT NULL, -- live mobilities of the participant in the project
    PRIMARY KEY (project_id, participant_id)
) WITHOUT ROWID;
ALTER TABLE projects ADD COLUMN participants INTEGER NOT NULL DEFAULT 0; -- distinct participants of the live mobilities
INSERT INTO project_participants (project_id, participant_id, mobilities)
SELECT project_id, participant_id, COUNT(*) FROM mobilities WHERE status != 'cancelled' GROUP BY project_id, participant_id;
UPDATE projects SET participants = (SELECT COUNT(*) FROM project_participants pp WHERE pp.project_id = projects.id);

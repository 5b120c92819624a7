-- 0007: the deadline flags a project recorded (issue 14; LIFE-REPORT-DUE,
-- LIFE-ASSESS-DUE): a reminder before the final report is due, the final
-- report overdue, its assessment overdue. Each flag is recorded once per
-- project. A project is overdue now while the flag's matter is still open:
--   final-report-overdue while the project is 'ongoing',
--   assessment-overdue while it is 'final-report-submitted'
-- (GET /v1/projects?overdue=true), e.g.
--   SELECT p.id FROM projects p JOIN deadline_flags f ON f.project_id = p.id
--   WHERE (f.flag = 'final-report-overdue' AND p.status = 'ongoing')
--      OR (f.flag = 'assessment-overdue' AND p.status = 'final-report-submitted');
CREATE TABLE deadline_flags (
    project_id TEXT NOT NULL,
    flag       TEXT NOT NULL,   -- final-report-reminder, final-report-overdue, assessment-overdue
    org        TEXT NOT NULL,
    rule       TEXT NOT NULL,   -- LIFE-REPORT-DUE or LIFE-ASSESS-DUE
    due_on     TEXT NOT NULL,   -- YYYY-MM-DD the deadline
    raised_on  TEXT NOT NULL,   -- YYYY-MM-DD the flag was recorded
    sequence   INTEGER NOT NULL,
    PRIMARY KEY (project_id, flag)
);

-- consortium_members: the organisations registered under a coordinator's
-- consortium accreditation (CONS-MEMBER), one row per membership;
-- removed_on '' while the organisation is a member. The members of a
-- coordinator on a day:
--   SELECT member_oid FROM consortium_members WHERE coordinator = 'E10000001'
--   AND added_on <= '2026-05-01' AND (removed_on = '' OR removed_on > '2026-05-01');
CREATE TABLE consortium_members (
    coordinator      TEXT NOT NULL,  -- OID of the coordinator holding the accreditation
    accreditation_id TEXT NOT NULL,
    field            TEXT NOT NULL,
    member_oid       TEXT NOT NULL,
    added_on         TEXT NOT NULL,  -- YYYY-MM-DD
    removed_on       TEXT NOT NULL,  -- YYYY-MM-DD, '' while a member
    reason           TEXT NOT NULL,  -- why it was removed
    sequence         INTEGER NOT NULL,
    PRIMARY KEY (coordinator, accreditation_id, member_oid, added_on)
);
CREATE INDEX consortium_members_member ON consortium_members (member_oid);

-- payments: a payment ID names a payment within its project, so the table
-- is keyed by (project_id, id). Keyed by id alone, two projects recording
-- the same payment ID ("PF1") overwrote each other's row. SQLite cannot
-- change a primary key in place: the table is copied into a new one. Rows
-- an old file already lost come back when the read models are rebuilt
-- (grants replay).
CREATE TABLE payments_by_project (
    project_id     TEXT NOT NULL,
    id             TEXT NOT NULL,
    org            TEXT NOT NULL,
    kind           TEXT NOT NULL,    -- pre-financing, balance or recovery
    amount_cents   INTEGER NOT NULL,
    net_paid_cents INTEGER NOT NULL, -- net paid to the project after this payment
    paid_on        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    instalment_id  TEXT NOT NULL DEFAULT '', -- the planned instalment paid ('' for none)
    PRIMARY KEY (project_id, id)
) WITHOUT ROWID;
INSERT INTO payments_by_project (project_id, id, org, kind, amount_cents, net_paid_cents, paid_on, reason, sequence, instalment_id)
    SELECT project_id, id, org, kind, amount_cents, net_paid_cents, paid_on, reason, sequence, instalment_id FROM payments;
DROP TABLE payments;
ALTER TABLE payments_by_project RENAME TO payments;
CREATE INDEX payments_project ON payments (project_id, sequence);

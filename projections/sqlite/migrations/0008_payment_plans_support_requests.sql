-- 0007: payment plans of grant agreements and requests for inclusion
-- support (issue 14, BUD-PAYMENTS and BUD-INCLUSION-REQ).
--
-- payments.instalment_id: the planned instalment a pre-financing payment
-- pays ('' for balances, recoveries and payments of projects without a
-- plan).
ALTER TABLE payments ADD COLUMN instalment_id TEXT NOT NULL DEFAULT '';

-- payment_plans: one row per project whose agreement has a payment plan
-- (PaymentPlanSet; a later plan replaces the row and its instalments).
-- The balance, or the recovery, falls due balance_due_days after the final
-- assessment (reports.assessed_on of the final report) and is
-- reports.final_cents minus the pre-financing paid.
CREATE TABLE payment_plans (
    project_id       TEXT PRIMARY KEY,
    org              TEXT NOT NULL,
    planned_cents    INTEGER NOT NULL,  -- sum of the instalments (never above the grant, BUD-GRANT-CAP)
    balance_due_days INTEGER NOT NULL,  -- days after the final assessment the balance or recovery is due
    set_on           TEXT NOT NULL,     -- YYYY-MM-DD the office set the plan
    sequence         INTEGER NOT NULL   -- stream sequence of the PaymentPlanSet event
) WITHOUT ROWID;

-- payment_instalments: the planned pre-financing instalments. What is
-- paid of one is the sum of payments.amount_cents with its instalment_id;
-- an analyst lists the instalments overdue on a day, unpaid in full, with
--   SELECT i.project_id, i.id, i.due_date, i.amount_cents,
--          COALESCE(SUM(p.amount_cents), 0) AS paid_cents
--   FROM payment_instalments i LEFT JOIN payments p
--     ON p.project_id = i.project_id AND p.instalment_id = i.id
--   WHERE i.due_date < '2026-12-06'
--   GROUP BY i.project_id, i.id HAVING paid_cents < i.amount_cents;
-- (GET /v1/projects/{id}/payment-plan shows each as planned, due,
-- overdue or paid on a day).
CREATE TABLE payment_instalments (
    project_id   TEXT NOT NULL,
    id           TEXT NOT NULL,
    org          TEXT NOT NULL,
    kind         TEXT NOT NULL,     -- pre-financing
    amount_cents INTEGER NOT NULL,
    due_date     TEXT NOT NULL,     -- YYYY-MM-DD
    sequence     INTEGER NOT NULL,  -- stream sequence of the PaymentPlanSet event
    PRIMARY KEY (project_id, id)
) WITHOUT ROWID;
CREATE INDEX payment_instalments_due ON payment_instalments (due_date);

-- support_requests: requests for inclusion support and exceptional costs
-- made while a project runs (InclusionSupportRequested) and the office's
-- decision (InclusionSupportDecided). The office's queue:
--   SELECT * FROM support_requests WHERE status = 'pending' ORDER BY requested_on;
-- Amounts requested at application time and decided at the award are in
-- the ApplicationSubmitted and ApplicationDecided events (audit_log).
CREATE TABLE support_requests (
    project_id                TEXT NOT NULL,
    id                        TEXT NOT NULL,
    org                       TEXT NOT NULL,
    status                    TEXT NOT NULL,     -- pending, approved or rejected
    inclusion_cents           INTEGER NOT NULL,  -- inclusion support requested
    exceptional_cents         INTEGER NOT NULL,  -- exceptional costs requested
    justification             TEXT NOT NULL,
    requested_on              TEXT NOT NULL,     -- YYYY-MM-DD
    granted_inclusion_cents   INTEGER NOT NULL,  -- granted (approved only)
    granted_exceptional_cents INTEGER NOT NULL,
    reason                    TEXT NOT NULL,     -- the office's reason ('' until decided)
    decided_on                TEXT NOT NULL,     -- YYYY-MM-DD ('' while pending)
    sequence                  INTEGER NOT NULL,  -- stream sequence of the last event
    PRIMARY KEY (project_id, id)
) WITHOUT ROWID;
CREATE INDEX support_requests_status ON support_requests (status, requested_on);

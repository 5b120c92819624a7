-- project_budget_examples keeps the first three explanations of each
-- category (in the order of their first live line: mobility ID, then line),
-- the ones a project's status quotes, instead of every distinct one (about
-- one per mobility and category). The projector finds the next ones among
-- the project's mobilities when one of them goes (keptExamples in
-- projections/sqlite/budget.go).
DELETE FROM project_budget_examples WHERE (project_id, category, explanation) IN (
    SELECT project_id, category, explanation FROM (
        SELECT project_id, category, explanation,
               row_number() OVER (PARTITION BY project_id, category ORDER BY first_mobility, first_line) AS n
        FROM project_budget_examples
    ) WHERE n > 3
);

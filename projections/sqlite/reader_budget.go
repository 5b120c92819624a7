package sqlite

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/erasmus-ledger/grants/projections"
)

var _ projections.BudgetReader = (*DB)(nil)

// budgetQuery reads a project's budget categories, each with its first
// explanations through project_budget_examples_first: a few rows whatever
// the number of mobilities.
const budgetQuery = "SELECT c.category, c.amount_cents, c.lines, c.rules_json, " +
	"(SELECT json_group_array(explanation) FROM (SELECT explanation FROM project_budget_examples e " +
	"WHERE e.project_id = c.project_id AND e.category = c.category ORDER BY e.first_mobility, e.first_line LIMIT 3)) " +
	"FROM project_budgets c WHERE c.project_id = ? ORDER BY c.category"

// Budget implements projections.BudgetReader.
func (db *DB) Budget(ctx context.Context, projectID string) ([]projections.BudgetCategory, error) {
	rows, err := db.query(ctx, budgetQuery, projectID)
	if err != nil {
		return nil, queryErr(err, "the budget")
	}
	defer rows.Close()
	out := []projections.BudgetCategory{}
	for rows.Next() {
		var c projections.BudgetCategory
		var rules, examples string
		if err := rows.Scan(&c.Category, &c.AmountCents, &c.Lines, &rules, &examples); err != nil {
			return nil, queryErr(err, "the budget")
		}
		var byRule map[string]int64
		if err := json.Unmarshal([]byte(rules), &byRule); err != nil {
			return nil, queryErr(err, "the budget")
		}
		for r := range byRule {
			c.Rules = append(c.Rules, r)
		}
		sort.Strings(c.Rules)
		if err := json.Unmarshal([]byte(examples), &c.Examples); err != nil {
			return nil, queryErr(err, "the budget")
		}
		if len(c.Examples) == 0 {
			c.Examples = nil
		}
		out = append(out, c)
	}
	return out, queryErr(rows.Err(), "the budget")
}

// Budget implements projections.BudgetReader.
func (m *Manager) Budget(ctx context.Context, projectID string) ([]projections.BudgetCategory, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.Budget(ctx, projectID)
}

package sqlite

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"database/sql/driver"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/projections"
)

// Each project's budget (projections.BudgetOf: the grant lines of its live
// mobilities by category) is kept in project_budgets and
// project_budget_examples as the mobilities are reported, corrected and
// cancelled, in the batch's transaction: a project's status then reads a
// few rows, whatever the number of its mobilities.

// budgetCat is a project's budget category as project_budgets holds it.
type budgetCat struct {
	name          string // the category
	amount, lines int64
	rules         map[string]int64 // lines by rule ID
	dirty         bool
}

// budgetExample is one distinct explanation of a category's lines.
type budgetExample struct {
	key       catExpl
	lines     int64
	firstMob  string
	firstLine int64
	dirty     bool
}

// catExpl names an explanation of a category.
type catExpl struct{ category, explanation string }

// projBudget is the budget of one project, loaded when first changed.
type projBudget struct {
	cats  map[string]*budgetCat
	ex    map[catExpl]*budgetExample
	dirty bool
	// rescan are the categories whose kept examples a bulk load finds
	// again at its end (findRescans) instead of at each change that
	// needs it (see countKeptExample).
	rescan map[string]bool
	// dirtyCats and dirtyEx are the categories and examples changed in
	// this batch: flushBudgets writes them without walking every
	// category and example of the project (a project's examples grow
	// with its mobilities).
	dirtyCats []*budgetCat
	dirtyEx   []*budgetExample
}

// touchCat marks c changed in this batch.
func (b *projBudget) touchCat(c *budgetCat) {
	if !c.dirty {
		c.dirty = true
		b.dirtyCats = append(b.dirtyCats, c)
	}
}

// touchEx marks e changed in this batch.
func (b *projBudget) touchEx(e *budgetExample) {
	if !e.dirty {
		e.dirty = true
		b.dirtyEx = append(b.dirtyEx, e)
	}
}

// budgetLine is a grant line as the budget needs it.
type budgetLine struct {
	category, rule, explanation string
	amount                      int64
}

// budgetStmts are the writer's statements of the budget tables.
type budgetStmts struct {
	catsOf, exOf       *wstmt
	catDel, exDel      *wstmt
	linesOf, liveLines *wstmt
	partNew, partInc   *wstmt
	partGet, partPut   *wstmt
	partDel            *wstmt
	// catRows and exRows write the rows of project_budgets and
	// project_budget_examples, many at a time (INSERT OR REPLACE).
	catRows, exRows *rowBuffer
}

// budgetSQL are the statements of budgetStmts.
func (s *budgetStmts) defs() []struct {
	dst **wstmt
	sql string
} {
	return []struct {
		dst **wstmt
		sql string
	}{
		{&s.catsOf, "SELECT category, amount_cents, lines, rules_json FROM project_budgets WHERE project_id = ?"},
		{&s.exOf, "SELECT category, explanation, lines, first_mobility, first_line FROM project_budget_examples WHERE project_id = ?"},
		{&s.catDel, "DELETE FROM project_budgets WHERE project_id = ? AND category = ?"},
		{&s.exDel, "DELETE FROM project_budget_examples WHERE project_id = ? AND category = ? AND explanation = ?"},
		{&s.linesOf, "SELECT id, lines_json FROM mobilities WHERE project_id = ? AND status != 'cancelled' ORDER BY id"},
		{&s.liveLines, "SELECT project_id, id, lines_json FROM mobilities WHERE status != 'cancelled' AND project_id IN (SELECT value FROM json_each(?))"},
		{&s.partNew, "INSERT OR IGNORE INTO project_participants (project_id, participant_id, mobilities) VALUES (?, ?, ?)"},
		{&s.partInc, "UPDATE project_participants SET mobilities = mobilities + ? WHERE project_id = ? AND participant_id = ?"},
		{&s.partGet, "SELECT mobilities FROM project_participants WHERE project_id = ? AND participant_id = ?"},
		{&s.partPut, "INSERT OR REPLACE INTO project_participants (project_id, participant_id, mobilities) VALUES (?, ?, ?)"},
		{&s.partDel, "DELETE FROM project_participants WHERE project_id = ? AND participant_id = ?"},
	}
}

// query runs the statement and returns its rows.
func (s *wstmt) query(vals ...driver.Value) (driver.Rows, error) {
	rows, err := s.s.QueryContext(bg, s.bind(vals))
	s.unbind(len(vals))
	return rows, err
}

// eachRow calls f with every row of the statement's result.
func (s *wstmt) eachRow(f func(vals []driver.Value) error, args ...driver.Value) error {
	rows, err := s.query(args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	for {
		if err := rows.Next(vals); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if err := f(vals); err != nil {
			return err
		}
	}
}

// budget returns the budget of p, loading it from the tables.
func (a *applier) budget(p *projectRow) (*projBudget, error) {
	if p.budget != nil {
		return p.budget, nil
	}
	b := &projBudget{cats: map[string]*budgetCat{}, ex: map[catExpl]*budgetExample{}}
	err := a.bst.catsOf.eachRow(func(v []driver.Value) error {
		var cat, rules string
		c := &budgetCat{rules: map[string]int64{}}
		for i, d := range []any{&cat, &c.amount, &c.lines, &rules} {
			if err := assign(d, v[i]); err != nil {
				return err
			}
		}
		if err := json.Unmarshal([]byte(rules), &c.rules); err != nil {
			return err
		}
		c.name = cat
		b.cats[cat] = c
		return nil
	}, p.id)
	if err != nil {
		return nil, err
	}
	err = a.bst.exOf.eachRow(func(v []driver.Value) error {
		var k catExpl
		e := &budgetExample{}
		for i, d := range []any{&k.category, &k.explanation, &e.lines, &e.firstMob, &e.firstLine} {
			if err := assign(d, v[i]); err != nil {
				return err
			}
		}
		e.key = k
		b.ex[k] = e
		return nil
	}, p.id)
	if err != nil {
		return nil, err
	}
	p.budget = b
	return b, nil
}

// decodeBudgetLines reads a mobility's grant lines (a JSON array of
// projections.GrantLine) into buf, on the fast path when it can. Strings
// may alias raw.
func decodeBudgetLines(raw []byte, buf []budgetLine) ([]budgetLine, error) {
	if utf8.Valid(raw) {
		r := jreader{b: raw}
		if lines, err := r.budgetLines(buf[:0]); err == nil && r.end() == nil {
			return lines, nil
		}
	}
	var ls []projections.GrantLine
	if err := json.Unmarshal(raw, &ls); err != nil {
		return nil, err
	}
	buf = buf[:0]
	for _, l := range ls {
		buf = append(buf, budgetLine{category: l.Category, rule: l.Rule, explanation: l.Explanation, amount: l.AmountCents})
	}
	return buf, nil
}

// grantLineKeys are the keys of a grant line the fast path reads.
var grantLineKeys = []string{"category", "rule", "explanation", "amount_cents"}

// budgetLines reads a JSON array of grant lines (UTF-8 already checked)
// into buf on the fast path: errFast when it cannot. Strings may alias r.b.
func (r *jreader) budgetLines(buf []budgetLine) ([]budgetLine, error) {
	err := r.array(func() error {
		var l budgetLine
		err := r.object(func(k []byte) error {
			switch string(k) {
			case "category":
				return r.strTo(&l.category)
			case "rule":
				return r.strTo(&l.rule)
			case "explanation":
				return r.strTo(&l.explanation)
			case "amount_cents":
				return intTo(r, &l.amount)
			}
			return r.other(k, grantLineKeys)
		})
		buf = append(buf, l)
		return err
	})
	return buf, err
}

// before reports whether line i of mobility id comes before the first
// line of e.
func (e *budgetExample) before(id string, i int64) bool {
	return id < e.firstMob || (id == e.firstMob && i < e.firstLine)
}

// keepString returns s for the budget to keep (s may alias an event's
// payload). A bulk load keeps one copy of each distinct text: its budget
// holds every project's categories and rules to its end, and the texts
// repeat across projects, so one shared copy each spares the collector
// many small strings.
func (a *applier) keepString(s string) string {
	if !a.bulk {
		return strings.Clone(s)
	}
	if k, ok := a.kept[s]; ok {
		return k
	}
	if a.kept == nil {
		a.kept = map[string]string{}
	}
	k := strings.Clone(s)
	a.kept[k] = k
	return k
}

// countBudget adds (sign +1) or removes (sign -1) the grant lines of
// mobility id of p from its budget.
func (a *applier) countBudget(p *projectRow, id string, f *mobilityFacts, sign int64) error {
	b, err := a.budget(p)
	if err != nil {
		return err
	}
	// The lines read with the event, ahead of the writer (fastmobility.go),
	// or else read here.
	lines := f.budget
	if !f.budgetRead {
		if a.budgetLines, err = decodeBudgetLines(f.lines, a.budgetLines); err != nil {
			return err
		}
		lines = a.budgetLines
	}
	if !b.dirty {
		b.dirty = true
		a.dirtyBudget = append(a.dirtyBudget, p)
	}
	var rescan map[string]bool // categories whose examples are found again
	for i, l := range lines {
		c := b.cats[l.category]
		if c == nil {
			c = &budgetCat{name: a.keepString(l.category), rules: map[string]int64{}}
			b.cats[c.name] = c
		}
		b.touchCat(c)
		c.amount = money.SatAdd(c.amount, money.SatMul(sign, l.amount))
		c.lines += sign
		if l.rule != "" {
			if n := c.rules[l.rule] + sign; n > 0 {
				if _, ok := c.rules[l.rule]; ok {
					c.rules[l.rule] = n
				} else {
					c.rules[a.keepString(l.rule)] = n
				}
			} else {
				delete(c.rules, l.rule)
			}
		}
		if l.explanation == "" {
			continue
		}
		if b.rescan[l.category] {
			continue // a bulk load finds them at its end
		}
		if a.countKeptExample(b, id, int64(i), l, sign) {
			if a.bulk {
				if b.rescan == nil {
					b.rescan = map[string]bool{}
				}
				b.rescan[a.keepString(l.category)] = true
				continue
			}
			if rescan == nil {
				rescan = map[string]bool{}
			}
			rescan[l.category] = true
		}
	}
	for cat := range rescan {
		var add []budgetLine
		if sign > 0 {
			add = lines
		}
		if err := a.rescanExamples(p, b, cat, id, add); err != nil {
			return err
		}
	}
	return nil
}

// keptExamples is how many explanations of a category project_budget_examples
// keeps: the first ones, in the order of their first live line (mobility ID,
// then line), which the project's status quotes (budgetQuery). A bulk load
// counts every explanation in memory and writes the first keptExamples of
// each category at its end (writeBudgets); the live projector keeps them
// up to date (countKeptExample), reading the project's mobilities again
// (rescanExamples) only when one of them goes or another one comes before
// the last of them. Keeping every distinct explanation (about one per
// mobility and category: 1.65 million rows, a sixth of the file, for a
// million events) cost a replay about 4 s of CPU.
const keptExamples = 3

// countKeptExample counts line i (l) of mobility id into the kept examples
// of b, live. It reports whether the examples of l's category must be
// found again among the project's mobilities: the count of an explanation
// that is not kept is not known.
func (a *applier) countKeptExample(b *projBudget, id string, i int64, l budgetLine, sign int64) bool {
	if e := b.ex[catExpl{l.category, l.explanation}]; e != nil {
		b.touchEx(e)
		e.lines += sign
		switch {
		case sign > 0 && e.before(id, i):
			e.firstMob, e.firstLine = strings.Clone(id), i
		case sign < 0 && (e.lines <= 0 || e.firstMob == id):
			// The explanation goes (another comes up), or its first
			// line does (the next one is found).
			return true
		}
		return false
	}
	if sign < 0 {
		// Not kept: its first line comes after the last kept one's, and
		// stays there.
		return false
	}
	n, last := 0, (*budgetExample)(nil)
	for k, e := range b.ex {
		if k.category == l.category && e.lines > 0 {
			n++
			if last == nil || !last.before(e.firstMob, e.firstLine) {
				last = e
			}
		}
	}
	if n < keptExamples {
		// Fewer kept than keptExamples: they are every explanation of the
		// category, so this one has no other live line.
		e := &budgetExample{key: catExpl{strings.Clone(l.category), strings.Clone(l.explanation)}, lines: 1, firstMob: strings.Clone(id), firstLine: i}
		b.ex[e.key] = e
		b.touchEx(e)
		return false
	}
	// It comes before the last kept explanation (which then goes): its
	// other live lines, if any, are not counted.
	return last.before(id, i)
}

// rescanExamples finds the kept examples of category cat of p again from
// its live mobilities other than skip (whose stored row the event is
// changing) and the lines add of skip (the lines being added, nil when
// they go).
func (a *applier) rescanExamples(p *projectRow, b *projBudget, cat, skip string, add []budgetLine) error {
	counts := exampleCounts{}
	// The queued rows first, so that the query sees them.
	if err := a.st.mobPut.flush(); err != nil {
		return err
	}
	clear(a.pendingMob)
	var lines []budgetLine
	err := a.bst.linesOf.eachRow(func(v []driver.Value) error {
		var id, raw string
		if err := assign(&id, v[0]); err != nil {
			return err
		}
		if err := assign(&raw, v[1]); err != nil {
			return err
		}
		if id == skip {
			return nil
		}
		var err error
		if lines, err = decodeBudgetLines(aliasBytes(raw), lines); err != nil {
			return err
		}
		counts.see(id, lines, func(string) bool { return true }, cat)
		return nil
	}, p.id)
	if err != nil {
		return err
	}
	if add != nil {
		counts.see(strings.Clone(skip), add, func(string) bool { return true }, cat)
	}
	b.keepFirst(cat, counts[cat])
	return nil
}

// exampleCount is how many live lines give an explanation, and the first.
type exampleCount struct {
	explanation, firstMob string
	lines, firstLine      int64
}

// exampleCounts are the explanations of a project's lines by category.
type exampleCounts map[string]map[string]*exampleCount

// see counts the lines of mobility id (which must not change afterwards)
// whose category is only, or any for which want holds when only is "".
func (m exampleCounts) see(id string, lines []budgetLine, want func(category string) bool, only string) {
	for i, l := range lines {
		if l.explanation == "" || (only != "" && l.category != only) || (only == "" && !want(l.category)) {
			continue
		}
		byExpl := m[l.category]
		if byExpl == nil {
			byExpl = map[string]*exampleCount{}
			m[strings.Clone(l.category)] = byExpl
		}
		c := byExpl[l.explanation]
		if c == nil {
			c = &exampleCount{explanation: strings.Clone(l.explanation), firstMob: id, firstLine: int64(i)}
			byExpl[c.explanation] = c
		}
		c.lines++
		if id < c.firstMob || (id == c.firstMob && int64(i) < c.firstLine) {
			c.firstMob, c.firstLine = id, int64(i)
		}
	}
}

// keepFirst makes the first keptExamples explanations of counts (by their
// first lines) the kept examples of category cat of b.
func (b *projBudget) keepFirst(cat string, counts map[string]*exampleCount) {
	first := make([]*exampleCount, 0, len(counts))
	for _, c := range counts {
		first = append(first, c)
	}
	slices.SortFunc(first, func(x, y *exampleCount) int {
		if c := strings.Compare(x.firstMob, y.firstMob); c != 0 {
			return c
		}
		return int(x.firstLine - y.firstLine)
	})
	first = first[:min(len(first), keptExamples)]
	// The kept examples that are no longer among the first go.
	for k, e := range b.ex {
		if k.category == cat && !slices.ContainsFunc(first, func(c *exampleCount) bool { return c.explanation == k.explanation }) {
			delete(b.ex, k)
			e.lines = 0
			b.touchEx(e)
		}
	}
	for _, c := range first {
		k := catExpl{cat, c.explanation}
		e := b.ex[k]
		if e == nil {
			e = &budgetExample{key: catExpl{strings.Clone(cat), c.explanation}}
			b.ex[e.key] = e
		}
		e.lines, e.firstMob, e.firstLine = c.lines, c.firstMob, c.firstLine
		b.touchEx(e)
	}
}

// findRescans finds the kept examples of the categories a bulk load left
// to its end (projBudget.rescan) in one scan of the mobilities of the
// projects that have one: the bulk load keeps the first explanations of
// each category as the live projector does, but where the live one reads
// the project's mobilities again (rescanExamples: a kept explanation or
// its first line went, or a line came before the last kept one), it only
// marks the category.
func (a *applier) findRescans() error {
	need := map[string]*projectRow{}
	for _, p := range a.dirtyBudget {
		if len(p.budget.rescan) > 0 {
			need[p.id] = p
		}
	}
	if len(need) == 0 {
		return nil
	}
	if err := a.flushRows(); err != nil {
		return err
	}
	ids := make([]string, 0, len(need))
	for id := range need {
		ids = append(ids, id)
	}
	projects, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	counts := map[string]exampleCounts{}
	var lines []budgetLine
	err = a.bst.liveLines.eachRow(func(v []driver.Value) error {
		var pid, id, raw string
		for i, d := range []*string{&pid, &id, &raw} {
			if err := assign(d, v[i]); err != nil {
				return err
			}
		}
		p := need[pid]
		if p == nil {
			return nil
		}
		var err error
		if lines, err = decodeBudgetLines(aliasBytes(raw), lines); err != nil {
			return err
		}
		c := counts[pid]
		if c == nil {
			c = exampleCounts{}
			counts[pid] = c
		}
		c.see(id, lines, func(cat string) bool { return p.budget.rescan[cat] }, "")
		return nil
	}, string(projects))
	if err != nil {
		return err
	}
	for pid, p := range need {
		b := p.budget
		for cat := range b.rescan {
			b.keepFirst(cat, counts[pid][cat])
		}
		b.rescan = nil
	}
	return nil
}

// budgetCatCols and budgetExCols are the columns budgetStmts.catRows and
// exRows write.
const (
	budgetCatCols = "project_id, category, amount_cents, lines, rules_json"
	budgetExCols  = "project_id, category, explanation, lines, first_mobility, first_line"
)

// flushBudgets writes the budgets changed in this batch. A bulk load's
// one call, at its end, hands them to its scratch file (a.aux, see
// bulkaux.go) once the examples it left to its end are found.
func (a *applier) flushBudgets() error {
	if a.bulk {
		// One write at the end of a bulk load: in key order.
		slices.SortFunc(a.dirtyBudget, func(x, y *projectRow) int { return strings.Compare(x.id, y.id) })
	}
	if err := a.findRescans(); err != nil {
		return err
	}
	if a.aux != nil {
		// The scratch file's goroutine owns these budgets from now on.
		a.aux.handOver(a.dirtyBudget)
		a.dirtyBudget = nil
		return nil
	}
	if err := writeBudgets(a.dirtyBudget, a.bst.catRows, a.bst.exRows, a.bst.catDel, a.bst.exDel); err != nil {
		return err
	}
	a.dirtyBudget = a.dirtyBudget[:0]
	return nil
}

// writeBudgets writes the changed categories and examples of the budgets
// of projects with cat and ex, deleting those left without lines with
// catDel and exDel (nil: the rows were never written, as in a bulk load's
// scratch file).
func writeBudgets(projects []*projectRow, cat, ex *rowBuffer, catDel, exDel *wstmt) error {
	for _, p := range projects {
		b := p.budget
		for _, c := range b.dirtyCats {
			c.dirty = false
			if c.lines <= 0 {
				delete(b.cats, c.name)
				if catDel == nil {
					continue
				}
				if err := catDel.exec(p.id, c.name); err != nil {
					return err
				}
				continue
			}
			rules, err := json.Marshal(c.rules)
			if err != nil {
				return err
			}
			cat.text(p.id)
			cat.text(c.name)
			cat.int(c.amount)
			cat.int(c.lines)
			cat.textBytes(rules)
			if _, err := cat.end(); err != nil {
				return err
			}
		}
		clear(b.dirtyCats)
		b.dirtyCats = b.dirtyCats[:0]
		if exDel == nil {
			// A bulk load counted every explanation: it writes the kept ones.
			b.dirtyEx = firstExamples(b.dirtyEx)
		}
		slices.SortFunc(b.dirtyEx, func(x, y *budgetExample) int {
			if c := strings.Compare(x.key.category, y.key.category); c != 0 {
				return c
			}
			if c := strings.Compare(x.key.explanation, y.key.explanation); c != 0 {
				return c
			}
			// An example that went (rescanExamples) and came back in the
			// same batch: its row is deleted before it is written again.
			return int(min(x.lines, 1) - min(y.lines, 1))
		})
		for _, e := range b.dirtyEx {
			e.dirty = false
			k := e.key
			if e.lines <= 0 {
				if b.ex[k] == e {
					delete(b.ex, k)
				}
				if exDel == nil {
					continue
				}
				if err := exDel.exec(p.id, k.category, k.explanation); err != nil {
					return err
				}
				continue
			}
			ex.text(p.id)
			ex.text(k.category)
			ex.text(k.explanation)
			ex.int(e.lines)
			ex.text(e.firstMob)
			ex.int(e.firstLine)
			if _, err := ex.end(); err != nil {
				return err
			}
		}
		clear(b.dirtyEx)
		b.dirtyEx = b.dirtyEx[:0]
		b.dirty = false
	}
	if err := cat.flush(); err != nil {
		return err
	}
	return ex.flush()
}

// firstExamples returns the first keptExamples examples with live lines
// of each category of ex, in the order of their first lines, reusing ex.
func firstExamples(ex []*budgetExample) []*budgetExample {
	slices.SortFunc(ex, func(x, y *budgetExample) int {
		if c := strings.Compare(x.key.category, y.key.category); c != 0 {
			return c
		}
		if c := strings.Compare(x.firstMob, y.firstMob); c != 0 {
			return c
		}
		return int(x.firstLine - y.firstLine)
	})
	out, n, cat := ex[:0], 0, ""
	for i, e := range ex {
		if i == 0 || e.key.category != cat {
			n, cat = 0, e.key.category
		}
		if e.lines > 0 && n < keptExamples {
			out = append(out, e)
			n++
		} else {
			e.dirty = false
		}
	}
	clear(ex[len(out):])
	return out
}

// decodeGrantLines reads the grant lines of a mobility row for a page, on
// the fast path when it can (about five times faster than encoding/json).
// The strings alias raw, which must not change afterwards.
func decodeGrantLines(raw []byte) ([]projections.GrantLine, error) {
	out := []projections.GrantLine{}
	if utf8.Valid(raw) {
		r := jreader{b: raw}
		err := r.array(func() error {
			var l projections.GrantLine
			err := r.object(func(k []byte) error {
				switch string(k) {
				case "category":
					return r.strTo(&l.Category)
				case "rule":
					return r.strTo(&l.Rule)
				case "explanation":
					return r.strTo(&l.Explanation)
				case "amount_cents":
					return intTo(&r, &l.AmountCents)
				}
				return r.other(k, []string{"category", "rule", "explanation", "amount_cents"})
			})
			out = append(out, l)
			return err
		})
		if err == nil && r.end() == nil {
			return out, nil
		}
	}
	out = []projections.GrantLine{}
	return out, json.Unmarshal(raw, &out)
}

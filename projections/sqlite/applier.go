package sqlite

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/privacy"
)

// applier writes decoded events into the read models inside the current
// batch transaction. It caches the small, hot rows (organisations, projects,
// statistics) in memory and writes the changed ones once per batch. The
// caches are only valid together with the transactions this applier
// committed: after a failed batch the applier must be discarded.
type applier struct {
	w  *wconn
	st stmts
	// ref holds the reference data's statements (h_reference.go).
	ref *refStmts
	// plan holds the payment plans' and support requests' statements
	// (h_paymentplan.go).
	plan *planStmts
	// dl inserts a deadline flag (h_deadlines.go).
	dl *wstmt
	// bst holds the budget tables' statements (budget.go).
	bst budgetStmts

	// vault opens sealed personal data (nil: none is opened); with
	// keepSealed a sealed block is kept sealed in the stream instead, the
	// participant's row naming its event (opened when read,
	// DB.participant); erased holds the erased
	// participants, loaded on first use (h_personal.go).
	vault      pii.Vault
	keepSealed bool
	erased     map[pairKey]bool
	// pseudonyms, if set, make the file an analyst's pseudonymous one
	// (PD-EXPORT-PSEUDONYMOUS, pseudonymous.go).
	pseudonyms *privacy.Pseudonymiser

	orgs      map[string]*orgRow
	projects  map[string]*projectRow
	lastProj  *projectRow            // the project last returned by project
	batch     uint64                 // the live batches committed (trim)
	statMob   map[uint64]*statMobRow // by statKeyIDs.pack
	statIDs   statKeyIDs
	statMobT  map[string]*statMobRow // keys that do not pack, by statMobKey.appendTo
	keyBuf    []byte
	statAcc   map[statAccKey]*statAccRow
	dirtyOrg  []*orgRow
	dirtyProj []*projectRow
	dirtyMob  []*statMobRow
	dirtyAcc  []*statAccRow
	// dirtyBudget are the projects whose budget changed in this batch,
	// budgetLines the grant lines being counted (budget.go).
	dirtyBudget []*projectRow
	budgetLines []budgetLine
	// kept holds the budget's texts in a bulk load (see keepString).
	kept map[string]string
	// partRefs are the project_participants rows changed in this batch.
	partRefs map[pairKey]*participantRef
	counts   map[string]bool
	inTx     bool
	// pendingMob holds the facts of the mobility rows queued in
	// st.mobPut, so that reading one back does not force the queue out.
	pendingMob map[pairKey]mobilityFacts
	times      timeCache
	sumBuf     []byte // the audit summary being written
	// postOrg and postAgg are the tails of the audit posting lists
	// (postings.go) and dirtyPost those changed since they were last
	// written.
	postOrg, postAgg postingTails
	dirtyPost        []*postingTail

	// bulk is set when the database is a rebuild's throwaway file, loaded
	// without its secondary indexes (mobilities_key among them): every
	// cached project then remembers the rowid of each of its mobilities
	// (projectRow.mobs), and mobility rows are read and updated by rowid.
	bulk      bool
	lastMobID int64
	// parts finds a bulk load's participant rows: by organisation, then by
	// participant ID (see claimParticipant); lastPartID is the last rowid
	// given.
	parts      map[string]*rowSlots
	lastPartID int64
	// partKeys are the participant IDs of the bulk load's participant
	// rows, by rowid (see claimParticipant), and partRows the rows,
	// written at the load's end (bulkparts.go).
	partKeys keyArena
	partRows bulkParticipants
	// aux is a bulk load's scratch file, written at its end beside the
	// index builds (bulkaux.go).
	aux *bulkAux
}

// timeCache remembers the last instants formatted: the events of one
// command share their recorded and occurred times.
type timeCache struct {
	t [2]time.Time
	s [2]string
	n int
}

// format returns events.FormatTime(t), from the cache when it can.
func (c *timeCache) format(t time.Time) string {
	for i := range c.t {
		if c.s[i] != "" && c.t[i].Equal(t) {
			return c.s[i]
		}
	}
	c.n = (c.n + 1) % len(c.t)
	c.t[c.n], c.s[c.n] = t, events.FormatTime(t)
	return c.s[c.n]
}

// stmts are the writer's prepared statements.
type stmts struct {
	checkpoint                         *wstmt
	audit, mobPut, partPut             *rowBuffer
	orgGet, orgPut                     *wstmt
	projGet, projPut                   *wstmt
	accGet, accPut                     *wstmt
	mobGet, mobStatus                  *wstmt
	mobPutRowid                        *rowBuffer // bulk: rows by rowid
	mobGetRowid, mobStatusRowid        *wstmt     // bulk: by rowid
	mobIDRowid                         *wstmt     // bulk: a row's mobility ID
	payPut                             *wstmt
	repPut, repAssess                  *wstmt
	statMobGet, statMobPut, statMobDel *wstmt
	statAccGet, statAccPut, statAccDel *wstmt
	postGet, postPut                   *wstmt
}

// mobFactCols are the columns of mobilities that mobilityFacts holds, in
// the order storedMobility scans them.
const mobFactCols = "participant_id, activity, sending_country, receiving_country, status, reported_on, call_year, action, " +
	"days, grant_cents, persons, revision, green_travel, fewer_opportunities, ukraine_exception, accompanying, lines_json"

// placeholders returns "?, ?, ..." for the columns of cols.
func placeholders(cols string) string {
	n := strings.Count(cols, ",") + 1
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// newApplier prepares the statements on w.
func newApplier(w *wconn) (*applier, error) {
	a := &applier{w: w}
	a.reset()
	const mobCols = "project_id, id, org, participant_id, action, call_year, activity, sending_country, receiving_country, " +
		"receiving_city, sending_org, receiving_org, start_date, end_date, days, travel_days, distance_km, green_travel, " +
		"fewer_opportunities, ukraine_exception, accompanying, group_id, persons, status, grant_cents, lines_json, " +
		"reported_on, changed_on, revision, sequence"
	const accCols = "id, org, field, kind, year, status, outcome, plan_from_year, plan_to_year, applied_on, decided_on, withdrawn_on, sequence"
	const repCols = "project_id, id, org, kind, status, summary, submitted_on, late, mobilities, reported_cents, outcome, " +
		"assessed_on, final_cents, balance_cents, score, note, sequence"
	const statMobDims = "call_year = ? AND action = ? AND field = ? AND activity = ? AND sending_country = ? AND " +
		"receiving_country = ? AND green_travel = ? AND fewer_opportunities = ? AND ukraine_exception = ?"
	defs := []struct {
		dst **wstmt
		sql string
	}{
		{&a.st.checkpoint, "UPDATE checkpoint SET sequence = ?, recorded_at = ?, hash = ? WHERE id = 1"},
		{&a.st.orgGet, "SELECT " + orgCols + " FROM organisations WHERE oid = ?"},
		{&a.st.orgPut, "INSERT OR REPLACE INTO organisations (" + orgCols + ") VALUES (" + placeholders(orgCols) + ")"},
		{&a.st.projGet, "SELECT " + projectCols + " FROM projects WHERE id = ?"},
		{&a.st.projPut, "INSERT OR REPLACE INTO projects (" + projectCols + ") VALUES (" + placeholders(projectCols) + ")"},
		{&a.st.accGet, "SELECT year, field, kind, status, outcome FROM accreditations WHERE id = ?"},
		{&a.st.accPut, "INSERT OR REPLACE INTO accreditations (" + accCols + ") VALUES (" + placeholders(accCols) + ")"},
		{&a.st.mobGet, "SELECT " + mobFactCols + " FROM mobilities WHERE project_id = ? AND id = ?"},
		{&a.st.mobStatus, "UPDATE mobilities SET status = ?, changed_on = ?, sequence = ? WHERE project_id = ? AND id = ?"},
		{&a.st.mobStatusRowid, "UPDATE mobilities SET status = ?, changed_on = ?, sequence = ? WHERE rowid = ?"},
		{&a.st.mobGetRowid, "SELECT " + mobFactCols + ", id FROM mobilities WHERE rowid = ?"},
		{&a.st.mobIDRowid, "SELECT id FROM mobilities WHERE rowid = ?"},
		{&a.st.payPut, "INSERT OR REPLACE INTO payments (id, project_id, org, kind, amount_cents, net_paid_cents, paid_on, reason, sequence) " +
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"},
		{&a.st.repPut, "INSERT OR REPLACE INTO reports (" + repCols + ") VALUES (" + placeholders(repCols) + ")"},
		{&a.st.repAssess, "UPDATE reports SET status = 'assessed', outcome = ?, assessed_on = ?, final_cents = ?, balance_cents = ?, " +
			"score = ?, note = ?, sequence = ? WHERE project_id = ? AND id = ?"},
		{&a.st.statMobGet, "SELECT mobilities, participants, accompanying, days, grant_cents FROM stat_mobilities WHERE " + statMobDims},
		{&a.st.statMobPut, "INSERT OR REPLACE INTO stat_mobilities (call_year, action, field, activity, sending_country, receiving_country, " +
			"green_travel, fewer_opportunities, ukraine_exception, mobilities, participants, accompanying, days, grant_cents) " +
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
		{&a.st.statMobDel, "DELETE FROM stat_mobilities WHERE " + statMobDims},
		{&a.st.statAccGet, "SELECT applications FROM stat_accreditations WHERE year = ? AND field = ? AND kind = ? AND outcome = ?"},
		{&a.st.statAccPut, "INSERT OR REPLACE INTO stat_accreditations (year, field, kind, outcome, applications) VALUES (?, ?, ?, ?, ?)"},
		{&a.st.statAccDel, "DELETE FROM stat_accreditations WHERE year = ? AND field = ? AND kind = ? AND outcome = ?"},
		{&a.st.postGet, "SELECT chunk, first_sequence, last_sequence, events, sequences FROM audit_postings " +
			"WHERE kind = ? AND key = ? ORDER BY chunk DESC LIMIT 1"},
		{&a.st.postPut, "INSERT OR REPLACE INTO audit_postings (kind, key, chunk, first_sequence, last_sequence, events, sequences) " +
			"VALUES (?, ?, ?, ?, ?, ?, ?)"},
	}
	defs = append(defs, a.bst.defs()...)
	for _, d := range defs {
		s, err := w.prepare(d.sql)
		if err != nil {
			return nil, err
		}
		*d.dst = s
	}
	bufs := []struct {
		dst               **rowBuffer
		verb, table, cols string
	}{
		{&a.st.audit, "INSERT", "audit_log", auditCols},
		{&a.st.mobPut, "INSERT OR REPLACE", "mobilities", mobCols},
		{&a.st.mobPutRowid, "INSERT OR REPLACE", "mobilities", "rowid, " + mobCols},
		{&a.st.partPut, "INSERT OR REPLACE", "participants", participantCols},
		{&a.bst.catRows, "INSERT OR REPLACE", "project_budgets", budgetCatCols},
		{&a.bst.exRows, "INSERT OR REPLACE", "project_budget_examples", budgetExCols},
	}
	for _, b := range bufs {
		rb, err := newRowBuffer(w, b.verb, b.table, b.cols)
		if err != nil {
			return nil, err
		}
		*b.dst = rb
	}
	return a, nil
}

// reset drops every cached row (after a failed batch).
func (a *applier) reset() {
	a.orgs = map[string]*orgRow{}
	a.projects, a.lastProj = map[string]*projectRow{}, nil
	a.statMob, a.statIDs, a.statMobT = map[uint64]*statMobRow{}, newStatKeyIDs(), map[string]*statMobRow{}
	a.statAcc = map[statAccKey]*statAccRow{}
	a.dirtyOrg, a.dirtyProj, a.dirtyMob, a.dirtyAcc, a.dirtyBudget = nil, nil, nil, nil, nil
	a.partRefs = nil
	a.counts = map[string]bool{}
	a.pendingMob = map[pairKey]mobilityFacts{}
	a.lastMobID = 0
	a.parts, a.lastPartID, a.partKeys, a.partRows = map[string]*rowSlots{}, 0, keyArena{}, bulkParticipants{}
	a.postOrg = postingTails{m: map[string]*postingTail{}}
	a.postAgg = postingTails{m: map[string]*postingTail{}}
	a.dirtyPost = nil
	for _, b := range []*rowBuffer{a.st.audit, a.st.mobPut, a.st.mobPutRowid, a.st.partPut, a.bst.catRows, a.bst.exRows} {
		if b != nil {
			b.reset()
		}
	}
}

// flushRows writes the rows queued in the row buffers.
func (a *applier) flushRows() error {
	for _, b := range []*rowBuffer{a.st.audit, a.st.mobPut, a.st.mobPutRowid, a.st.partPut} {
		if err := b.flush(); err != nil {
			return err
		}
	}
	clear(a.pendingMob)
	return nil
}

// pairKey identifies a mobility by project and ID.
type pairKey struct{ scope, id string }

// begin opens the batch transaction.
func (a *applier) begin() error {
	if err := a.w.execScript("BEGIN IMMEDIATE"); err != nil {
		return err
	}
	a.inTx = true
	return nil
}

// rollback abandons the batch transaction and the caches with it.
func (a *applier) rollback() {
	if a.inTx {
		a.w.execScript("ROLLBACK")
		a.inTx = false
	}
	a.reset()
}

// apply projects one decoded event and writes its audit entry.
func (a *applier) apply(env *events.Envelope, h *handler, v any) error {
	if err := h.apply(a, env, v); err != nil {
		return fmt.Errorf("projecting %s at sequence %d: %w", env.Type, env.Sequence, err)
	}
	switch env.Ref.Kind {
	case "organisation":
		if o, err := a.org(env.Ref.ID); err != nil {
			return err
		} else if o != nil {
			o.version, o.sequence = int64(env.Version), int64(env.Sequence)
			a.touchOrg(o)
		}
	case "project":
		if p, err := a.project(env.Ref.ID); err != nil {
			return err
		} else if p != nil {
			p.version, p.sequence = int64(env.Version), int64(env.Sequence)
			a.touchProject(p)
		}
	}
	b := a.st.audit
	b.int(int64(env.Sequence))
	b.fresh(env.ID)
	b.text(a.times.format(env.RecordedAt))
	if env.OccurredAt.Equal(env.RecordedAt) {
		b.repeat() // most events occur when they are recorded
	} else {
		b.text(a.times.format(env.OccurredAt))
	}
	b.text(a.actorUser(env.Actor.UserID))
	b.text(env.Actor.Role)
	b.text(env.Actor.Org)
	b.text(env.Ref.Org)
	b.text(env.Ref.Kind)
	b.text(env.Ref.ID)
	b.int(int64(env.Version))
	b.text(env.Type)
	a.sumBuf = h.summary(a.sumBuf[:0], env, v)
	b.textBytes(a.sumBuf)
	b.text(a.commandReason(env.Reason))
	b.text(env.CorrelationID)
	b.fresh(env.Hash)
	b.fresh(env.PrevHash)
	if _, err := b.end(); err != nil {
		return err
	}
	return a.post(env.Ref.Org, env.Ref.ID, int64(env.Sequence))
}

// writeCheckpoint records the batch's last event (its sequence, time and
// hash) as the checkpoint.
func (a *applier) writeCheckpoint(seq uint64, recorded time.Time, hash string) error {
	return a.st.checkpoint.exec(int64(seq), events.FormatTime(recorded), hash)
}

// commitOnly commits the open transaction.
func (a *applier) commitOnly() error {
	if err := a.w.execScript("COMMIT"); err != nil {
		a.rollback()
		return err
	}
	a.inTx = false
	a.trim()
	return nil
}

// maxCachedProjects bounds the projects (each with its budget: its
// categories and their first keptExamples explanations) the live applier
// keeps between batches, and
// maxCachedOrgs the organisations. Kept for ever, they grew grants serve's
// memory with every project and mobility reported (issue 16).
var (
	maxCachedProjects = 64
	maxCachedOrgs     = 4096
)

// trim runs after a live batch's commit, when every row is on disk:
// beyond maxCachedProjects it forgets the projects the batch did not use
// (the least recently used ones are read again when next needed), beyond
// maxCachedOrgs every organisation. A bulk load keeps them (it reads each
// project once).
func (a *applier) trim() {
	if a.bulk {
		return
	}
	cur := a.batch
	a.batch++
	if len(a.projects) > maxCachedProjects {
		for id, p := range a.projects {
			if p == nil || p.used != cur {
				delete(a.projects, id)
			}
		}
		if a.lastProj != nil && a.projects[a.lastProj.id] != a.lastProj {
			a.lastProj = nil
		}
	}
	if len(a.orgs) > maxCachedOrgs {
		a.orgs = map[string]*orgRow{}
	}
}

// flush writes the rows changed in this batch.
func (a *applier) flush() error {
	if err := a.flushRows(); err != nil {
		return err
	}
	// Before the projects: it counts their participants.
	if err := a.flushParticipants(); err != nil {
		return err
	}
	for _, o := range a.dirtyOrg {
		if err := a.st.orgPut.exec(o.values()...); err != nil {
			return err
		}
		o.dirty = false
	}
	for _, p := range a.dirtyProj {
		if err := a.st.projPut.exec(p.values()...); err != nil {
			return err
		}
		p.dirty = false
	}
	for _, s := range a.dirtyMob {
		var err error
		if s.zero() {
			err = a.st.statMobDel.exec(s.key.values()...)
		} else {
			err = a.st.statMobPut.exec(append(s.key.values(), s.mobilities, s.participants, s.accompanying, s.days, s.grant)...)
		}
		if err != nil {
			return err
		}
		s.dirty = false
	}
	for _, s := range a.dirtyAcc {
		k := s.key
		var err error
		if s.applications == 0 {
			err = a.st.statAccDel.exec(k.year, k.field, k.kind, k.outcome)
		} else {
			err = a.st.statAccPut.exec(k.year, k.field, k.kind, k.outcome, s.applications)
		}
		if err != nil {
			return err
		}
		s.dirty = false
	}
	a.dirtyOrg, a.dirtyProj, a.dirtyMob, a.dirtyAcc = a.dirtyOrg[:0], a.dirtyProj[:0], a.dirtyMob[:0], a.dirtyAcc[:0]
	if err := a.flushBudgets(); err != nil {
		return err
	}
	return a.flushPostings()
}

// org returns the cached organisation row, loading it; nil if there is none.
func (a *applier) org(oid string) (*orgRow, error) {
	if o, ok := a.orgs[oid]; ok {
		return o, nil
	}
	o := &orgRow{}
	err := a.st.orgGet.queryRow(o.dest(), oid)
	if errors.Is(err, errNoRow) {
		a.orgs[strings.Clone(oid)] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.orgs[strings.Clone(oid)] = o // oid may alias an event's payload
	return o, nil
}

// putOrg caches a new organisation row.
func (a *applier) putOrg(o *orgRow) {
	a.orgs[o.oid] = o
	a.touchOrg(o)
}

func (a *applier) touchOrg(o *orgRow) {
	if !o.dirty {
		o.dirty = true
		a.dirtyOrg = append(a.dirtyOrg, o)
	}
}

// project returns the cached project row, loading it; nil if there is none.
func (a *applier) project(id string) (*projectRow, error) {
	// An event's handler and then apply ask for the same project.
	if a.lastProj != nil && a.lastProj.id == id {
		a.lastProj.used = a.batch
		return a.lastProj, nil
	}
	if p, ok := a.projects[id]; ok {
		if p != nil {
			a.lastProj, p.used = p, a.batch
		}
		return p, nil
	}
	p := &projectRow{}
	err := a.st.projGet.queryRow(p.dest(), id)
	if errors.Is(err, errNoRow) {
		a.projects[strings.Clone(id)] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.used = a.batch
	a.projects[strings.Clone(id)] = p // id may alias an event's payload
	return p, nil
}

// putProject caches a new project row.
func (a *applier) putProject(p *projectRow) {
	p.used = a.batch
	a.projects[p.id] = p
	a.lastProj = p
	a.touchProject(p)
}

func (a *applier) touchProject(p *projectRow) {
	if !p.dirty {
		p.dirty = true
		a.dirtyProj = append(a.dirtyProj, p)
	}
}

// mustProject returns the project row or an error naming the missing project.
func (a *applier) mustProject(id string) (*projectRow, error) {
	p, err := a.project(id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("project %s has no application before this event", id)
	}
	return p, nil
}

// statMobility returns the statistics row of key, loading it.
func (a *applier) statMobility(k statMobKey) (*statMobRow, error) {
	if pk, ok := a.statIDs.pack(&k); ok {
		if s, ok := a.statMob[pk]; ok {
			return s, nil
		}
		s, err := a.loadStatMobility(k)
		if err == nil {
			a.statMob[pk] = s
		}
		return s, err
	}
	// The fallback map is keyed by the key's bytes: one hash and one
	// comparison instead of six of each for the struct, and no allocation
	// on a hit.
	a.keyBuf = k.appendTo(a.keyBuf[:0])
	if s, ok := a.statMobT[string(a.keyBuf)]; ok {
		return s, nil
	}
	s, err := a.loadStatMobility(k)
	if err == nil {
		a.statMobT[string(a.keyBuf)] = s
	}
	return s, err
}

// loadStatMobility reads the statistics row of k from the database (a
// zero row if there is none yet).
func (a *applier) loadStatMobility(k statMobKey) (*statMobRow, error) {
	s := &statMobRow{key: k.clone()}
	err := a.st.statMobGet.queryRow([]any{&s.mobilities, &s.participants, &s.accompanying, &s.days, &s.grant}, k.values()...)
	if err != nil && !errors.Is(err, errNoRow) {
		return nil, err
	}
	return s, nil
}

// addMobilityStats adds (sign +1) or removes (sign -1) one mobility from
// the statistics.
func (a *applier) addMobilityStats(k statMobKey, sign int64, f *mobilityFacts) error {
	s, err := a.statMobility(k)
	if err != nil {
		return err
	}
	s.mobilities += sign
	if f.accompanying {
		s.accompanying += sign
	} else {
		s.participants += sign * max(1, f.persons)
	}
	s.days += sign * f.days
	s.grant = money.SatAdd(s.grant, money.SatMul(sign, f.grant))
	if !s.dirty {
		s.dirty = true
		a.dirtyMob = append(a.dirtyMob, s)
	}
	return nil
}

// addAccreditationStat moves one application into (sign +1) or out of
// (sign -1) the row of key.
func (a *applier) addAccreditationStat(k statAccKey, sign int64) error {
	s, ok := a.statAcc[k]
	if !ok {
		s = &statAccRow{key: k}
		err := a.st.statAccGet.queryRow([]any{&s.applications}, k.year, k.field, k.kind, k.outcome)
		if err != nil && !errors.Is(err, errNoRow) {
			return err
		}
		a.statAcc[k] = s
	}
	s.applications += sign
	if !s.dirty {
		s.dirty = true
		a.dirtyAcc = append(a.dirtyAcc, s)
	}
	return nil
}

// countsTowardMax reports whether a mobility of activity counts toward
// KA122-MAX-MOB (preparatory visits and accompanying persons do not).
func (a *applier) countsTowardMax(activity string, accompanying bool) bool {
	if accompanying {
		return false
	}
	c, ok := a.counts[activity]
	if !ok {
		act, known := catalog.ActivityByCode(activity)
		c = !known || act.CountsTowardMax
		a.counts[strings.Clone(activity)] = c
	}
	return c
}

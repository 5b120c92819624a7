package sqlite

import (
	"database/sql/driver"
	"strconv"
	"strings"
)

// orgRow is an organisations row held in the projector's cache.
type orgRow struct {
	oid, name, country, city, kind, registeredAt string
	projectCount                                 int64
	version, sequence                            int64
	dirty                                        bool
}

const orgCols = "oid, name, country, city, kind, registered_at, project_count, version, sequence"

func (r *orgRow) dest() []any {
	return []any{&r.oid, &r.name, &r.country, &r.city, &r.kind, &r.registeredAt, &r.projectCount, &r.version, &r.sequence}
}

func (r *orgRow) values() []driver.Value {
	return []driver.Value{r.oid, r.name, r.country, r.city, r.kind, r.registeredAt, r.projectCount, r.version, r.sequence}
}

// projectRow is a projects row held in the projector's cache.
type projectRow struct {
	id, org, title, action, field        string
	callYear, round                      int64
	consortium                           bool
	status, partnersJSON                 string
	startDate, endDate, submittedOn      string
	decidedOn, signedOn, agreementNo     string
	closedOn                             string
	requested, awarded, reported         int64
	paid, final                          int64
	ukraine                              bool
	mobilities, counted, cancelled       int64
	payments, reports, version, sequence int64
	// participants counts the distinct participants of the live
	// mobilities (project_participants holds them).
	participants int64
	dirty        bool
	// mobs is a bulk load's rowid of each mobility of the project, parts
	// the participant slots of its organisation (see claimParticipant).
	mobs  rowSlots
	parts *rowSlots
	// budget is the project's budget once loaded (budget.go).
	budget *projBudget
	// partCounts are a bulk load's live mobilities of each participant
	// of the project (countParticipant).
	partCounts map[string]int32
	// used is the live applier's batch that last used the row (trim).
	used uint64
}

const projectCols = "id, org, title, action, field, call_year, round, consortium, status, partners_json, " +
	"start_date, end_date, submitted_on, decided_on, signed_on, agreement_no, closed_on, " +
	"requested_cents, awarded_cents, reported_cents, paid_cents, final_cents, ukraine_exception, " +
	"mobilities, counted_mobilities, cancelled, payments, reports, version, sequence, participants"

func (r *projectRow) dest() []any {
	return []any{&r.id, &r.org, &r.title, &r.action, &r.field, &r.callYear, &r.round, &r.consortium, &r.status, &r.partnersJSON,
		&r.startDate, &r.endDate, &r.submittedOn, &r.decidedOn, &r.signedOn, &r.agreementNo, &r.closedOn,
		&r.requested, &r.awarded, &r.reported, &r.paid, &r.final, &r.ukraine,
		&r.mobilities, &r.counted, &r.cancelled, &r.payments, &r.reports, &r.version, &r.sequence, &r.participants}
}

func (r *projectRow) values() []driver.Value {
	return []driver.Value{r.id, r.org, r.title, r.action, r.field, r.callYear, r.round, r.consortium, r.status, r.partnersJSON,
		r.startDate, r.endDate, r.submittedOn, r.decidedOn, r.signedOn, r.agreementNo, r.closedOn,
		r.requested, r.awarded, r.reported, r.paid, r.final, r.ukraine,
		r.mobilities, r.counted, r.cancelled, r.payments, r.reports, r.version, r.sequence, r.participants}
}

// statMobKey is the dimension tuple of a stat_mobilities row.
type statMobKey struct {
	callYear                           int64
	action, field, activity            string
	sendingCountry, receivingCountry   string
	green, fewerOpportunities, ukraine bool
}

// appendTo appends an encoding of k to b that differs for different keys:
// each text is preceded by its length.
func (k statMobKey) appendTo(b []byte) []byte {
	b = strconv.AppendInt(b, k.callYear, 10)
	for _, s := range [...]string{k.action, k.field, k.activity, k.sendingCountry, k.receivingCountry} {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	for _, f := range [...]bool{k.green, k.fewerOpportunities, k.ukraine} {
		if f {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	return b
}

// clone returns k with its own copies of the texts, which may alias an
// event's payload.
func (k statMobKey) clone() statMobKey {
	for _, s := range []*string{&k.action, &k.field, &k.activity, &k.sendingCountry, &k.receivingCountry} {
		*s = strings.Clone(*s)
	}
	return k
}

func (k statMobKey) values() []driver.Value {
	return []driver.Value{k.callYear, k.action, k.field, k.activity, k.sendingCountry, k.receivingCountry, k.green, k.fewerOpportunities, k.ukraine}
}

// statMobRow holds the counters of one stat_mobilities row.
type statMobRow struct {
	key                                          statMobKey
	mobilities, participants, accompanying, days int64
	grant                                        int64
	dirty                                        bool
}

func (r *statMobRow) zero() bool {
	return r.mobilities == 0 && r.participants == 0 && r.accompanying == 0 && r.days == 0 && r.grant == 0
}

// statAccKey is the dimension tuple of a stat_accreditations row.
type statAccKey struct {
	year                 int64
	field, kind, outcome string
}

// statAccRow holds the count of one stat_accreditations row.
type statAccRow struct {
	key          statAccKey
	applications int64
	dirty        bool
}

// mobilityFacts is what the projector needs to know about a stored
// mobility to correct or cancel it.
type mobilityFacts struct {
	participantID, activity, sendingCountry, receivingCountry string
	status, reportedOn                                        string
	callYear                                                  int64
	action                                                    string
	days, grant, persons, revision                            int64
	green, fewer, ukraine, accompanying                       bool
	// lines are the grant lines (JSON), for the project's budget, and
	// budget the same lines already read (budgetRead set), which alias
	// the event they were read from.
	lines      []byte
	budget     []budgetLine
	budgetRead bool
}

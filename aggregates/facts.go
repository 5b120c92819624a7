package aggregates

import (
	"math"
	"time"

	"github.com/erasmus-ledger/grants/aggregates/catalog"
	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// mobilityFacts is what the rules read of one mobility when they decide a
// command on its project: its place, whether it is cancelled, its
// participant, its grant's total and support claims, the per-participant
// limits it uses (course-fee days, UA-LINGUISTIC cents), its dates and
// what organisational support, KA122-MAX-MOB and the group rules count.
// Evolve keeps it for every mobility beside (or, in a compact portfolio,
// instead of) the full MobilityRecord: it is about a tenth of the record's
// size and holds three strings, so a project of a thousand mobilities
// costs the command path little memory and little garbage-collector work.
// The rules that need a whole record (a correction, a recomputation) are
// decided on a portfolio with the records (NeedsRecords, WithRecords).
type mobilityFacts struct {
	participantID string
	// activity is the catalogue's own string for a known code (one copy
	// for every mobility), the record's otherwise.
	activity string
	groupID  string
	// totalCents is the grant's total.
	totalCents int64
	// claims is what the mobility claims under BUD-INCLUSION-REQ.
	claims supportClaims
	// linguisticCents adds up the grant's positive UA-LINGUISTIC lines.
	linguisticCents int64
	courseFeeDays   int
	seq             int
	start, end      packedDate
	reportedOn      packedDate
	cancelled       bool
	accompanying    bool
}

// factsOf returns the facts of record r.
func factsOf(r MobilityRecord) mobilityFacts {
	m := r.Mobility
	f := mobilityFacts{participantID: m.ParticipantID, activity: m.Activity, groupID: m.GroupID,
		totalCents: r.Grant.TotalCents, claims: claimsOf(m, r.Grant), courseFeeDays: m.CourseFeeDays, seq: r.Seq,
		start: packDate(m.StartDate), end: packDate(m.EndDate), reportedOn: packDate(r.ReportedOn),
		cancelled: r.Cancelled, accompanying: m.Accompanying}
	if act, ok := catalog.ActivityByCode(m.Activity); ok && act.Code == m.Activity {
		f.activity = act.Code
	}
	for _, l := range r.Grant.Lines {
		if l.Rule == "UA-LINGUISTIC" && l.AmountCents > 0 {
			f.linguisticCents = money.SatAdd(f.linguisticCents, l.AmountCents)
		}
	}
	return f
}

// paysOrgSupport reports whether the mobility counts as a participant for
// organisational support (BUD-ORG-SUPPORT): not cancelled, not an
// accompanying person, not a preparatory visit.
func (f mobilityFacts) paysOrgSupport() bool {
	return !f.cancelled && !f.accompanying && f.activity != catalog.CodePrepVisit
}

// countsTowardKA122Max reports whether the mobility counts toward
// KA122-MAX-MOB (preparatory visits and accompanying persons do not).
func (f mobilityFacts) countsTowardKA122Max() bool {
	return !f.cancelled && !f.accompanying && activityCountsTowardMax(f.activity)
}

// packedDate is a Date in four bytes: days since 1970-01-01, or
// noPackedDate for the zero Date.
type packedDate int32

const noPackedDate = packedDate(math.MinInt32)

func packDate(d Date) packedDate {
	if d.IsZero() {
		return noPackedDate
	}
	return packedDate(d.t.Unix() / 86400)
}

func (p packedDate) date() Date {
	if p == noPackedDate {
		return Date{}
	}
	return Date{t: time.Unix(int64(p)*86400, 0).UTC()}
}

// NeedsRecords reports whether cmd is decided on the full records of its
// project's mobilities, not on their facts alone: a correction keeps the
// old sealed personal data, a recomputation recomputes every grant. A
// compact portfolio (NewCompactPortfolio) refuses them, as every command
// that reads single mobilities, with FactsNeeded; decide them on
// Portfolio.WithRecords.
func NeedsRecords(cmd Command) bool {
	switch derefCommand(cmd).(type) {
	case CorrectMobility, RecomputeGrants:
		return true
	}
	return false
}

// NewCompactPortfolio returns the empty compact state of organisation oid:
// its projects keep neither the mobilities' records nor their facts, only
// the hashes of their IDs and the running figures a new report is decided
// on (lean.go), so that the state of a project does not grow with what its
// mobilities hold. Every command is decided on it exactly as on the full
// state, or refused with FactsNeeded when it reads single mobilities.
func NewCompactPortfolio(oid string) Portfolio {
	p := NewPortfolio(oid)
	p.compact = true
	return p
}

// Compact reports whether p makes its new projects compact.
func (p Portfolio) Compact() bool { return p.compact }

// WithRecords returns p with each project of prs in place of the compact
// project of the same ID, for a command refused with FactsNeeded: each is
// that project folded in full (from NewPortfolio) from the same events. It
// fails when one does not agree with the compact project in p (they were
// not folded from the same events). p is not changed.
func (p Portfolio) WithRecords(prs ...Project) (Portfolio, error) {
	q := p
	q.Projects = make(map[string]Project, len(p.Projects))
	for id, x := range p.Projects {
		q.Projects[id] = x
	}
	for _, pr := range prs {
		cur, ok := p.Projects[pr.ID]
		if !ok || pr.isLean() || pr.Mobilities == nil {
			return Portfolio{}, apperr.New(apperr.Internal, "project %s folded in full differs from its decided state", pr.ID)
		}
		if cur.isLean() && !sameLean(cur, pr.Compacted()) || !cur.isLean() && (!sameFacts(cur.facts, pr.facts) || cur.ReportedCents != pr.ReportedCents) {
			return Portfolio{}, apperr.New(apperr.Internal, "project %s folded in full differs from its decided state", pr.ID)
		}
		q.Projects[pr.ID] = pr
	}
	return q, nil
}

// sameFacts reports whether a and b hold the same facts.
func sameFacts(a, b map[string]mobilityFacts) bool {
	if len(a) != len(b) {
		return false
	}
	for id, f := range a {
		g, ok := b[id]
		if !ok || f != g {
			return false
		}
	}
	return true
}

// SizeOf is about how many bytes folding e adds to a compact decided state
// (NewCompactPortfolio), for a cache bounded in bytes: a new mobility's
// ID hash, and its participant's sums when it claims any; the event's main
// strings for the rest (their records are kept whole).
func SizeOf(e Event, payloadBytes int) int64 {
	switch e := e.(type) {
	case *MobilityReported:
		if e != nil {
			return SizeOf(*e, payloadBytes)
		}
	case MobilityReported:
		n := int64(leanMobilityBytes)
		if e.Mobility.CourseFeeDays != 0 || e.Mobility.Ukraine != nil {
			n += participantSumBytes + int64(len(e.Mobility.ParticipantID))
		}
		return n
	case MobilityCorrected, MobilityCancelled, *MobilityCorrected, *MobilityCancelled:
		return 0
	}
	return int64(payloadBytes)
}

// leanMobilityBytes is what a new mobility costs a compact project: its
// 8-byte ID hash in a map (a slot and its control byte, in a table between
// half and seven eighths full, grown by doubling; about 37 bytes measured
// against 2 020 for a full record); participantSumBytes is a participant's
// entry in the sums beside its ID. TestCompactStateBytesPerMobility
// measures the heap.
const (
	leanMobilityBytes   = 32
	participantSumBytes = 64
)

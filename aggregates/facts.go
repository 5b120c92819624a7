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
// compact portfolio (NewCompactPortfolio) refuses them; decide them on
// Portfolio.WithRecords.
func NeedsRecords(cmd Command) bool {
	switch derefCommand(cmd).(type) {
	case CorrectMobility, RecomputeGrants:
		return true
	}
	return false
}

// errNoRecords is the answer of a compact portfolio to a command that
// needs the records: the caller did not give them (a defect, not a rule).
func errNoRecords(what string) error {
	return apperr.New(apperr.Internal, "%s needs the mobilities' full records, which a compact decided state does not keep", what)
}

// NewCompactPortfolio returns the empty compact state of organisation oid:
// Evolve keeps every mobility's facts but not its full record (the
// Mobilities maps stay nil), so the state of a project of n mobilities is
// a fraction of the full one. Every command but those of NeedsRecords is
// decided on it exactly as on the full state.
func NewCompactPortfolio(oid string) Portfolio {
	p := NewPortfolio(oid)
	p.compact = true
	return p
}

// Compact reports whether p keeps the mobilities' facts only.
func (p Portfolio) Compact() bool { return p.compact }

// WithRecords returns p with project pr in place of the project of the
// same ID, for a command of NeedsRecords: pr is that project folded in
// full (from NewPortfolio) from the same events. It fails when pr's facts
// differ from the project's in p (they were not folded from the same
// events). p is not changed.
func (p Portfolio) WithRecords(pr Project) (Portfolio, error) {
	cur, ok := p.Projects[pr.ID]
	if !ok || pr.Mobilities == nil || !sameFacts(cur.facts, pr.facts) || cur.ReportedCents != pr.ReportedCents {
		return Portfolio{}, apperr.New(apperr.Internal, "project %s folded in full differs from its decided state", pr.ID)
	}
	q := p
	q.compact = false
	q.Projects = make(map[string]Project, len(p.Projects))
	for id, x := range p.Projects {
		q.Projects[id] = x
	}
	q.Projects[pr.ID] = pr
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
// (NewCompactPortfolio), for a cache bounded in bytes: a mobility's facts,
// its map entry, its ID and participant strings and its place in the
// participant index for a new mobility; the event's main strings for the
// rest (their records are kept whole).
func SizeOf(e Event, payloadBytes int) int64 {
	switch e := e.(type) {
	case *MobilityReported:
		if e != nil {
			return SizeOf(*e, payloadBytes)
		}
	case MobilityReported:
		return factsBytes + int64(2*len(e.Mobility.MobilityID)+len(e.Mobility.ParticipantID)+len(e.Mobility.GroupID))
	case MobilityCorrected, MobilityCancelled, *MobilityCorrected, *MobilityCancelled:
		return 0
	}
	return int64(payloadBytes)
}

// factsBytes is what a new mobility costs a compact state beside its
// strings: its facts in the map (a 128-byte slot with its key, in a table
// between half and seven eighths full) and its entry in the participant
// index. TestCompactStateBytesPerMobility measures about 410 bytes a
// mobility in all, against about 2 000 for a full record; a heap profile
// of grants serve under load about 500 (maps less full, the decoded
// strings' size classes), which this counts.
const factsBytes = 480

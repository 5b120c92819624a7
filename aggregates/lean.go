package aggregates

import (
	"errors"
	"hash/maphash"
	"sort"
	"strings"

	"github.com/erasmus-ledger/grants/aggregates/money"
	"github.com/erasmus-ledger/grants/events/apperr"
)

// A compact project (a project of NewCompactPortfolio) keeps no
// per-mobility facts: only what the frequent command, a new report, reads
// of its mobilities, in memory that does not grow with what a mobility
// holds:
//   - mobilityIDs, a 64-bit hash of every mobility ID (cancelled ones
//     too): a report whose ID hash is absent is new for certain; one whose
//     hash is present is a duplicate, or (once in billions) a collision,
//     which the full facts tell apart;
//   - mobilityCount, the mobilities reported (the next one's place);
//   - the running figures Evolve keeps for both states (ReportedCents,
//     CountedMobilities, orgSupportCount, claimed);
//   - participantSums, per participant the course-fee days and
//     UA-LINGUISTIC cents of its mobilities, for the participants that
//     claim any (an absent participant claims nothing).
//
// The rarer commands that read single mobilities (a correction, a
// cancellation, an amendment, the final report, a recomputation, an
// erasure) are refused by a compact project with FactsNeeded: the caller
// folds the project in full from its events, decides on WithRecords and
// may keep Compacted of the result. A cancellation or correction folded
// onto a compact project leaves its running figures unknown
// (factsUnknown), since the event does not carry what the mobility
// counted: every command on it then needs the full facts once.

// leanSeed seeds the mobility-ID hashes (in memory only: a hash is never
// stored, and a collision costs a fold, never a wrong decision).
var leanSeed = maphash.MakeSeed()

// idHash is the hash of mobility ID id kept by a compact project.
func idHash(id string) uint64 { return maphash.String(leanSeed, id) }

// participantSum is what a participant's mobilities that are not
// cancelled claim against per-participant limits in one project.
type participantSum struct {
	courseFeeDays   int
	linguisticCents int64
}

// isLean reports whether pr is a compact project: no per-mobility facts.
func (pr Project) isLean() bool { return pr.lean }

// mayHaveMobility reports whether mobility id may be in compact project pr
// (its hash is there); false is certain.
func (pr Project) mayHaveMobility(id string) bool {
	_, ok := pr.mobilityIDs[idHash(id)]
	return ok
}

// factsNeeded is the cause of a compact state's refusal to decide: the
// projects whose full facts the decision reads.
type factsNeeded struct{ projects []string }

func (f *factsNeeded) Error() string {
	return "the decision reads the mobilities of project(s) " + strings.Join(f.projects, ", ") + ", which a compact decided state does not keep"
}

// needFacts is a compact state's answer to a decision that reads the
// mobilities of projects ids: an internal error (a caller that does not
// fold the projects in full must never show it as a rule).
func needFacts(ids ...string) error {
	return apperr.Wrap(apperr.Internal, &factsNeeded{projects: ids}, "internal error")
}

// FactsNeeded reports whether err is the answer of a compact state
// (NewCompactPortfolio) to a command it cannot decide from what it keeps,
// and returns the IDs of the projects to fold in full from their events
// and give to WithRecords before deciding again.
func FactsNeeded(err error) ([]string, bool) {
	var f *factsNeeded
	if errors.As(err, &f) {
		return f.projects, true
	}
	return nil, false
}

// leanProjectsWithMobilities lists the compact projects of p that hold
// mobilities, in ID order.
func leanProjectsWithMobilities(p Portfolio) []string {
	var ids []string
	for id, pr := range p.Projects {
		if pr.isLean() && pr.mobilityCount > 0 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// putLean folds mobility id with facts f, reported anew or corrected
// (known: the event is a correction), onto compact project pr.
func (v *evolver) putLean(pr *Project, id string, f mobilityFacts) {
	v.ownLean(pr)
	h := idHash(id)
	if _, had := pr.mobilityIDs[h]; had {
		// A mobility already there, or a hash collision: what it counted
		// is not kept, so the running figures (and the count) are unknown.
		pr.factsUnknown = true
		return
	}
	pr.mobilityIDs[h] = struct{}{}
	pr.mobilityCount++
	if pr.factsUnknown {
		return
	}
	if !f.cancelled {
		pr.ReportedCents = money.SatAdd(pr.ReportedCents, countedCents(f.totalCents))
		if f.countsTowardKA122Max() {
			pr.CountedMobilities++
		}
		pr.claim(f.claims)
		if !addParticipantSum(&pr.participantSums, &f) {
			pr.sumsInexact = true
		}
	}
	if f.paysOrgSupport() {
		pr.orgSupportCount++
	}
}

// cancelLean folds the cancellation of mobility id onto compact project pr.
func (v *evolver) cancelLean(pr *Project, id string) {
	if pr.mayHaveMobility(id) {
		pr.factsUnknown = true
	}
}

// ownLean makes pr's maps the evolver's own (copied unless made by it).
func (v *evolver) ownLean(pr *Project) {
	if (v.ownMobs[pr.ID] || v.inPlace) && pr.mobilityIDs != nil {
		return
	}
	ids := make(map[uint64]struct{}, len(pr.mobilityIDs)+1)
	for h := range pr.mobilityIDs {
		ids[h] = struct{}{}
	}
	pr.mobilityIDs = ids
	if pr.participantSums != nil {
		sums := make(map[string]participantSum, len(pr.participantSums))
		for k, s := range pr.participantSums {
			sums[k] = s
		}
		pr.participantSums = sums
	}
	if v.ownMobs == nil {
		v.ownMobs = map[string]bool{}
	}
	v.ownMobs[pr.ID] = true
}

// Compacted returns project pr, folded in full (from NewPortfolio), as a
// compact portfolio keeps it: its figures and the hashes of its mobility
// IDs, no facts or records. It shares no map with pr.
func (pr Project) Compacted() Project {
	if pr.isLean() {
		return pr
	}
	c := pr
	c.lean = true
	c.Mobilities, c.facts, c.byParticipant, c.participantSums = nil, nil, nil, nil
	c.mobilityIDs = make(map[uint64]struct{}, len(pr.facts))
	c.mobilityCount = len(pr.facts)
	c.factsUnknown, c.sumsInexact = false, false
	for id, f := range pr.facts {
		c.mobilityIDs[idHash(id)] = struct{}{}
		if !f.cancelled && !addParticipantSum(&c.participantSums, &f) {
			c.sumsInexact = true
		}
	}
	return c
}

// sameLean reports whether compact project a agrees with b, the same
// project compacted from its full fold: the same mobility IDs and, unless
// a's figures are unknown, the same figures.
func sameLean(a, b Project) bool {
	if len(a.mobilityIDs) != len(b.mobilityIDs) {
		return false
	}
	for h := range b.mobilityIDs {
		if _, ok := a.mobilityIDs[h]; !ok {
			return false
		}
	}
	if a.factsUnknown {
		return true
	}
	if a.mobilityCount != b.mobilityCount || a.ReportedCents != b.ReportedCents || a.CountedMobilities != b.CountedMobilities || a.orgSupportCount != b.orgSupportCount ||
		a.claimed != b.claimed || a.claimsInexact != b.claimsInexact || a.sumsInexact != b.sumsInexact || len(a.participantSums) != len(b.participantSums) {
		return false
	}
	for k, s := range b.participantSums {
		if a.participantSums[k] != s {
			return false
		}
	}
	return true
}

// addParticipantSum adds the course-fee days and UA-LINGUISTIC cents of f
// to its participant's sum in *sums (made when first needed); a mobility
// without a participant or without either claim adds nothing. It reports
// false when the cents overflowed (the sums are then inexact).
func addParticipantSum(sums *map[string]participantSum, f *mobilityFacts) bool {
	if f.participantID == "" || (f.courseFeeDays == 0 && f.linguisticCents == 0) {
		return true
	}
	if *sums == nil {
		*sums = map[string]participantSum{}
	}
	s := (*sums)[f.participantID]
	s.courseFeeDays += f.courseFeeDays
	var ok bool
	s.linguisticCents, ok = money.Add(s.linguisticCents, f.linguisticCents)
	(*sums)[f.participantID] = s
	return ok
}

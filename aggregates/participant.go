package aggregates

import (
	"sort"

	"github.com/erasmus-ledger/grants/aggregates/money"
)

// participantClaims adds up what the participant of m already claims in
// project pr through its other mobilities: the course-fee days (ACT-COURSE
// pays at most 10 days per participant in one project) and the linguistic
// support paid against receipts (UA-LINGUISTIC: at most 300 EUR per person).
// A participant is its ParticipantID, the pseudonymous ID that ties a
// person's mobilities together in the read models; cancelled mobilities
// and m itself (when it is being corrected) do not count.
func participantClaims(pr Project, m Mobility) (courseFeeDays int, linguisticCents int64) {
	if m.ParticipantID == "" {
		return 0, 0
	}
	if pr.isLean() {
		// A new report (a compact project decides no other): all of the
		// participant's mobilities, summed as they were folded.
		s := pr.participantSums[m.ParticipantID]
		return s.courseFeeDays, s.linguisticCents
	}
	// The participant's own mobilities, in ID order: a look-up, not a
	// scan of the project.
	for _, id := range pr.byParticipant[m.ParticipantID] {
		f := pr.facts[id]
		if id == m.MobilityID || f.cancelled || f.participantID != m.ParticipantID {
			continue
		}
		courseFeeDays += f.courseFeeDays
		linguisticCents = money.SatAdd(linguisticCents, f.linguisticCents)
	}
	return courseFeeDays, linguisticCents
}

// participantsBefore counts the participants of project pr that come
// before mobility m for organisational support (BUD-ORG-SUPPORT): the
// mobilities reported before it (all of them for a new report), not
// cancelled, accompanying persons and preparatory visits excluded. Each
// mobility is one participant, as in KA122-MAX-MOB and the Beneficiary
// Module. A correction keeps the mobility's place, so correcting an early
// mobility of a large project does not move it to the lower rate.
func participantsBefore(pr Project, m Mobility) int {
	own, had := pr.facts[m.MobilityID]
	if !had {
		// A new report comes after every mobility: the running count.
		return pr.orgSupportCount
	}
	n := 0
	for id, f := range pr.facts {
		if id == m.MobilityID || !f.paysOrgSupport() || (had && f.seq > own.seq) {
			continue
		}
		n++
	}
	return n
}

// indexParticipant adds mobility id to participant pid's list (a new slice).
func (p *Project) indexParticipant(pid, id string) {
	if pid == "" {
		return
	}
	if p.byParticipant == nil {
		p.byParticipant = map[string][]string{}
	}
	old := p.byParticipant[pid]
	i := sort.SearchStrings(old, id)
	if i < len(old) && old[i] == id {
		return
	}
	ids := make([]string, 0, len(old)+1)
	ids = append(append(append(ids, old[:i]...), id), old[i:]...)
	p.byParticipant[pid] = ids
}

// unindexParticipant removes mobility id from participant pid's list (a
// new slice).
func (p *Project) unindexParticipant(pid, id string) {
	old := p.byParticipant[pid]
	i := sort.SearchStrings(old, id)
	if pid == "" || i == len(old) || old[i] != id {
		return
	}
	if len(old) == 1 {
		delete(p.byParticipant, pid)
		return
	}
	ids := make([]string, 0, len(old)-1)
	p.byParticipant[pid] = append(append(ids, old[:i]...), old[i+1:]...)
}

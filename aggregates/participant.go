package aggregates

import "github.com/erasmus-ledger/grants/aggregates/money"

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
	for _, id := range sortedMobilityIDs(pr) {
		r := pr.Mobilities[id]
		if id == m.MobilityID || r.Cancelled || r.Mobility.ParticipantID != m.ParticipantID {
			continue
		}
		courseFeeDays += r.Mobility.CourseFeeDays
		for _, l := range r.Grant.Lines {
			if l.Rule == "UA-LINGUISTIC" && l.AmountCents > 0 {
				linguisticCents = money.SatAdd(linguisticCents, l.AmountCents)
			}
		}
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
	own, had := pr.Mobilities[m.MobilityID]
	n := 0
	for id, r := range pr.Mobilities {
		if id == m.MobilityID || !r.paysOrgSupport() || (had && r.Seq > own.Seq) {
			continue
		}
		n++
	}
	return n
}

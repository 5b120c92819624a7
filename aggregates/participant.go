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

package sqlite

import (
	"strings"
)

// participantRef is a row of project_participants being changed in this
// batch: p is its project, delta the live mobilities the batch added
// (negative: removed) to the participant's.
type participantRef struct {
	p     *projectRow
	delta int64
}

// countParticipant adds (sign +1) or removes (sign -1) a live mobility of
// participant id from p's participants.
//
// Live, the batch only adds up each participant's change in memory: the
// row is neither read nor written per event, but changed once per batch by
// flushParticipants, which then counts p.participants. Nothing reads
// p.participants before its project row is written.
//
// A bulk load counts them in memory (projectRow.partCounts; the file's
// table is empty until its end) and writes the rows once at its end, in
// its scratch file (bulkaux.go).
func (a *applier) countParticipant(p *projectRow, id string, sign int64) error {
	if a.bulk {
		if p.partCounts == nil {
			p.partCounts = map[string]int32{}
		}
		n, ok := p.partCounts[id]
		if !ok {
			id = strings.Clone(id) // id may alias an event's payload
		}
		switch {
		case n <= 0 && n+int32(sign) > 0:
			p.participants++
		case n > 0 && n+int32(sign) <= 0:
			p.participants--
		}
		p.partCounts[id] = n + int32(sign)
		return nil
	}
	k := pairKey{p.id, id}
	r := a.partRefs[k]
	if r == nil {
		if a.partRefs == nil {
			a.partRefs = map[pairKey]*participantRef{}
		}
		r = &participantRef{p: p}
		a.partRefs[pairKey{p.id, strings.Clone(id)}] = r
	}
	r.delta += sign
	return nil
}

// flushParticipants changes the project_participants rows of this batch,
// each with one upsert that adds its change and returns the row's count,
// and counts the participants of their projects from the counts before and
// after: one statement per participant and batch, where a read before the
// participant's first event of the batch and a write at its end were two.
// It runs before the project rows are written.
func (a *applier) flushParticipants() error {
	for k, r := range a.partRefs {
		if r.delta == 0 {
			continue // the batch added and removed as many: no change
		}
		var after int64
		if err := a.bst.partAdd.queryRow([]any{&after}, k.scope, k.id, r.delta); err != nil {
			return err
		}
		before := after - r.delta
		switch {
		case before <= 0 && after > 0:
			r.p.participants++
		case before > 0 && after <= 0:
			r.p.participants--
		}
		if after <= 0 {
			if err := a.bst.partDel.exec(k.scope, k.id); err != nil {
				return err
			}
		}
		a.touchProject(r.p)
	}
	clear(a.partRefs)
	return nil
}

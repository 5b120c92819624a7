package sqlite

import (
	"errors"
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

// flushParticipants changes the project_participants rows of this batch
// and counts the participants of their projects, before the project rows
// are written. A participant the batch added mobilities to is inserted
// if its row is absent (one statement: a participant new to the project,
// the common case) and its row's count raised otherwise (it was counted
// already); one the batch removed mobilities from is read and written
// back or deleted. A read before each participant's first event of the
// batch and a write at its end were two statements for every participant.
func (a *applier) flushParticipants() error {
	for k, r := range a.partRefs {
		var err error
		switch {
		case r.delta > 0:
			err = a.addParticipant(k, r)
		case r.delta < 0:
			err = a.removeParticipant(k, r)
		}
		if err != nil {
			return err
		}
	}
	clear(a.partRefs)
	return nil
}

// addParticipant adds r.delta > 0 mobilities to participant k's row.
func (a *applier) addParticipant(k pairKey, r *participantRef) error {
	n, err := a.bst.partNew.execCount(k.scope, k.id, r.delta)
	if err != nil {
		return err
	}
	if n > 0 {
		r.p.participants++ // a stored row has a positive count
		a.touchProject(r.p)
		return nil
	}
	return a.bst.partInc.exec(r.delta, k.scope, k.id)
}

// removeParticipant removes -r.delta > 0 mobilities from participant k's
// row, deleting it when none is left.
func (a *applier) removeParticipant(k pairKey, r *participantRef) error {
	var before int64
	if err := a.bst.partGet.queryRow([]any{&before}, k.scope, k.id); err != nil && !errors.Is(err, errNoRow) {
		return err
	}
	after := before + r.delta
	if after > 0 {
		return a.bst.partPut.exec(k.scope, k.id, after)
	}
	if before > 0 {
		r.p.participants--
		a.touchProject(r.p)
	}
	return a.bst.partDel.exec(k.scope, k.id)
}

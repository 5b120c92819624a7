package sqlite

import (
	"fmt"
	"hash/maphash"
	"strings"
)

// mobSlot is what a bulk load remembers of one mobility row.
type mobSlot struct {
	rowid int64
	// queued is the write count of the row buffer when the row was last
	// queued: while it is unchanged, the row is still in the buffer.
	queued uint64
}

// mobSlots finds a bulk-loaded project's mobility rows by mobility ID.
// Slots are keyed by a 64-bit hash of the ID, so that the collector never
// scans the million entries of a large replay (they hold no pointers);
// the few IDs whose hash another ID of the project already has are keyed
// by the ID itself in byID. A hash slot may thus belong to another ID than
// the one looked up when that one was never reported: callers that read
// the row check its ID (storedMobility), and a report that meets a taken
// slot reads the row's ID back (claim).
type mobSlots struct {
	byHash map[uint64]mobSlot
	byID   map[string]mobSlot
}

// mobHash hashes a mobility ID (a variable so that a test can make IDs
// collide).
var mobHash = func(seed maphash.Seed) func(string) uint64 {
	return func(id string) uint64 { return maphash.String(seed, id) }
}(maphash.MakeSeed())

// find returns the slot of id, or of another ID with id's hash (see
// mobSlots).
func (s *mobSlots) find(id string) (mobSlot, bool) {
	if slot, ok := s.byID[id]; ok {
		return slot, true
	}
	slot, ok := s.byHash[mobHash(id)]
	return slot, ok
}

// put records slot as id's: in byID if id has a slot there or another ID
// holds id's hash slot (other), else in byHash.
func (s *mobSlots) put(id string, slot mobSlot, other bool) {
	if _, ok := s.byID[id]; ok || other {
		if s.byID == nil {
			s.byID = map[string]mobSlot{}
		}
		s.byID[strings.Clone(id)] = slot // the map outlives the payload id aliases
		return
	}
	if s.byHash == nil {
		s.byHash = map[uint64]mobSlot{}
	}
	s.byHash[mobHash(id)] = slot
}

// claim returns the slot of mobility id of project p for a row about to
// be queued (a report or a correction), giving a new rowid to a mobility
// not seen before. checked tells that the caller has just read the
// mobility's row and checked its ID (a correction does, in
// storedMobility).
func (a *applier) claim(p *projectRow, id string, checked bool) (mobSlot, error) {
	slot, ok := p.mobs.find(id)
	if !ok {
		a.lastMobID++
		slot.rowid = a.lastMobID
		slot.queued = a.st.mobPutRowid.writes
		p.mobs.put(id, slot, false)
		return slot, nil
	}
	if _, mine := p.mobs.byID[id]; !mine && !checked {
		// The hash slot may be another mobility's: read the row's ID.
		stored, err := a.bulkMobilityID(p, slot)
		if err != nil {
			return slot, err
		}
		if stored != id {
			a.lastMobID++
			slot = mobSlot{rowid: a.lastMobID}
			slot.queued = a.st.mobPutRowid.writes
			p.mobs.put(id, slot, true)
			return slot, nil
		}
	}
	slot.queued = a.st.mobPutRowid.writes
	p.mobs.put(id, slot, false)
	return slot, nil
}

// bulkMobilityID reads the mobility ID of a slot's row, writing the queued
// rows first if the row is among them.
func (a *applier) bulkMobilityID(p *projectRow, slot mobSlot) (string, error) {
	if err := a.flushQueuedMobility(slot); err != nil {
		return "", err
	}
	var id string
	if err := a.st.mobIDRowid.queryRow([]any{&id}, slot.rowid); err != nil {
		return "", fmt.Errorf("mobility row %d of project %s: %w", slot.rowid, p.id, err)
	}
	return id, nil
}

// flushQueuedMobility writes the queued mobility rows if slot's row is
// among them.
func (a *applier) flushQueuedMobility(slot mobSlot) error {
	if slot.queued == a.st.mobPutRowid.writes {
		return a.st.mobPutRowid.flush()
	}
	return nil
}

// claimParticipant returns the rowid of participant id of project p's
// organisation in a bulk load, giving the next one to a participant not
// seen before. Each organisation has its own mobSlots, keyed by the
// participant ID (a project's mobilities come in runs, so its
// organisation's slots stay in the processor's cache between them); a
// hash slot that may be another participant's is checked by reading the
// row's key back.
func (a *applier) claimParticipant(p *projectRow, id string) (int64, error) {
	slots := p.parts
	if slots == nil {
		if slots = a.parts[p.org]; slots == nil {
			slots = &mobSlots{}
			a.parts[strings.Clone(p.org)] = slots
		}
		p.parts = slots
	}
	slot, ok := slots.find(id)
	other := false
	if ok {
		if _, mine := slots.byID[id]; !mine {
			same, err := a.participantAt(slot, p.org, id)
			if err != nil {
				return 0, err
			}
			ok, other = same, !same
		}
	}
	if !ok {
		a.lastPartID++
		slot.rowid = a.lastPartID
	}
	slot.queued = a.st.partPutRowid.writes
	slots.put(id, slot, other)
	return slot.rowid, nil
}

// participantAt reports whether the row of slot is participant id of org,
// writing the queued rows first if the row is among them.
func (a *applier) participantAt(slot mobSlot, org, id string) (bool, error) {
	if slot.queued == a.st.partPutRowid.writes {
		if err := a.st.partPutRowid.flush(); err != nil {
			return false, err
		}
	}
	var storedOrg, storedID string
	if err := a.st.partKeyRowid.queryRow([]any{&storedOrg, &storedID}, slot.rowid); err != nil {
		return false, fmt.Errorf("participant row %d: %w", slot.rowid, err)
	}
	return storedOrg == org && storedID == id, nil
}

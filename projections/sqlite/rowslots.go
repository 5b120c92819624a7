package sqlite

import (
	"fmt"
	"hash/maphash"
	"strings"
)

// rowSlot is what a bulk load remembers of one row it wrote by rowid.
type rowSlot struct {
	rowid int64
	// queued is the write count of the row buffer when the row was last
	// queued: while it is unchanged, the row is still in the buffer.
	queued uint64
}

// rowSlots finds the rows a bulk load wrote for one table by their key
// while the table's key index is dropped: a project's mobilities by
// mobility ID, an organisation's participants by participant ID. Slots
// are keyed by a 64-bit hash of the key, so that the collector never scans
// the million entries of a large replay (they hold no pointers); the few
// keys whose hash another key already holds are kept by the key itself in
// byKey. A hash slot may thus belong to another key than the one looked
// up: claim reads the row's key back before it reuses one, and a caller
// that reads a row found by find checks its key (storedMobility).
type rowSlots struct {
	byHash map[uint64]rowSlot
	byKey  map[string]rowSlot
}

// slotHash hashes a key (a variable so that a test can make keys collide).
var slotHash = func(seed maphash.Seed) func(string) uint64 {
	return func(key string) uint64 { return maphash.String(seed, key) }
}(maphash.MakeSeed())

// find returns the slot of key, or of another key with key's hash (see
// rowSlots).
func (s *rowSlots) find(key string) (rowSlot, bool) {
	if slot, ok := s.byKey[key]; ok {
		return slot, true
	}
	slot, ok := s.byHash[slotHash(key)]
	return slot, ok
}

// put records slot as key's: in byKey if key has a slot there or another
// key holds key's hash slot (other), else in byHash.
func (s *rowSlots) put(key string, slot rowSlot, other bool) {
	if _, ok := s.byKey[key]; ok || other {
		if s.byKey == nil {
			s.byKey = map[string]rowSlot{}
		}
		s.byKey[strings.Clone(key)] = slot // the map outlives the payload key aliases
		return
	}
	if s.byHash == nil {
		s.byHash = map[uint64]rowSlot{}
	}
	s.byHash[slotHash(key)] = slot
}

// claim returns key's slot for a row about to be queued in buf, giving
// the rowid after *last to a key not seen before. A hash slot that may be
// another key's is checked with isAt, which reads the row's key back,
// unless the caller has just read and checked the row itself (checked).
func (s *rowSlots) claim(key string, buf *rowBuffer, last *int64, checked bool, isAt func(rowSlot) (bool, error)) (rowSlot, error) {
	slot, ok := s.find(key)
	other := false
	if _, mine := s.byKey[key]; ok && !mine && !checked {
		same, err := isAt(slot)
		if err != nil {
			return slot, err
		}
		ok, other = same, !same
	}
	if !ok {
		*last++
		slot = rowSlot{rowid: *last}
	}
	slot.queued = buf.writes
	s.put(key, slot, other)
	return slot, nil
}

// claim returns the slot of mobility id of project p for a row about to
// be queued (a report or a correction). checked tells that the caller has
// just read the mobility's row and checked its ID (a correction does, in
// storedMobility).
func (a *applier) claim(p *projectRow, id string, checked bool) (rowSlot, error) {
	return p.mobs.claim(id, a.st.mobPutRowid, &a.lastMobID, checked, func(slot rowSlot) (bool, error) {
		if err := a.st.mobPutRowid.flushIfQueued(slot); err != nil {
			return false, err
		}
		var stored string
		if err := a.st.mobIDRowid.queryRow([]any{&stored}, slot.rowid); err != nil {
			return false, fmt.Errorf("mobility row %d of project %s: %w", slot.rowid, p.id, err)
		}
		return stored == id, nil
	})
}

// claimParticipant returns the rowid of participant id of project p's
// organisation in a bulk load. Each organisation has its own rowSlots,
// keyed by the participant ID: a project's mobilities come in runs, so
// its organisation's slots stay in the processor's cache between them.
func (a *applier) claimParticipant(p *projectRow, id string) (int64, error) {
	slots := p.parts
	if slots == nil {
		if slots = a.parts[p.org]; slots == nil {
			slots = &rowSlots{}
			a.parts[strings.Clone(p.org)] = slots
		}
		p.parts = slots
	}
	slot, err := slots.claim(id, a.st.partPutRowid, &a.lastPartID, false, func(slot rowSlot) (bool, error) {
		if err := a.st.partPutRowid.flushIfQueued(slot); err != nil {
			return false, err
		}
		var org, stored string
		if err := a.st.partKeyRowid.queryRow([]any{&org, &stored}, slot.rowid); err != nil {
			return false, fmt.Errorf("participant row %d: %w", slot.rowid, err)
		}
		return org == p.org && stored == id, nil
	})
	return slot.rowid, err
}

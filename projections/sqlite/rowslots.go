package sqlite

import (
	"fmt"
	"hash/maphash"
	"strings"
)

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
	byHash map[uint64]int64 // rowid by the key's hash
	byKey  map[string]int64 // rowid by the key, for keys whose hash another holds
}

// slotHash hashes a key (a variable so that a test can make keys collide).
var slotHash = func(seed maphash.Seed) func(string) uint64 {
	return func(key string) uint64 { return maphash.String(seed, key) }
}(maphash.MakeSeed())

// find returns the rowid of key, or of another key with key's hash (see
// rowSlots).
func (s *rowSlots) find(key string) (int64, bool) {
	if rowid, ok := s.byKey[key]; ok {
		return rowid, true
	}
	rowid, ok := s.byHash[slotHash(key)]
	return rowid, ok
}

// put records rowid as a new key's: in byKey if another key holds key's
// hash slot (other), else in byHash.
func (s *rowSlots) put(key string, rowid int64, other bool) {
	if other {
		if s.byKey == nil {
			s.byKey = map[string]int64{}
		}
		s.byKey[strings.Clone(key)] = rowid // the map outlives the payload key aliases
		return
	}
	if s.byHash == nil {
		s.byHash = map[uint64]int64{}
	}
	s.byHash[slotHash(key)] = rowid
}

// claim returns key's rowid for a row about to be queued, giving the
// rowid after *last to a key not seen before. A hash slot that may be
// another key's is checked with isAt, which reads the row's key back,
// unless the caller has just read and checked the row itself (checked).
// A key seen before keeps its rowid: nothing is written to the maps.
func (s *rowSlots) claim(key string, last *int64, checked bool, isAt func(rowid int64) (bool, error)) (int64, error) {
	rowid, ok := s.find(key)
	other := false
	if _, mine := s.byKey[key]; ok && !mine && !checked {
		same, err := isAt(rowid)
		if err != nil {
			return rowid, err
		}
		ok, other = same, !same
	}
	if ok {
		return rowid, nil
	}
	*last++
	s.put(key, *last, other)
	return *last, nil
}

// claim returns the slot of mobility id of project p for a row about to
// be queued (a report or a correction). checked tells that the caller has
// just read the mobility's row and checked its ID (a correction does, in
// storedMobility).
func (a *applier) claim(p *projectRow, id string, checked bool) (int64, error) {
	return p.mobs.claim(id, &a.lastMobID, checked, func(rowid int64) (bool, error) {
		if err := a.st.mobPutRowid.flushIfHolds(rowid); err != nil {
			return false, err
		}
		var stored string
		if err := a.st.mobIDRowid.queryRow([]any{&stored}, rowid); err != nil {
			return false, fmt.Errorf("mobility row %d of project %s: %w", rowid, p.id, err)
		}
		return stored == id, nil
	})
}

// claimParticipant returns the rowid of participant id of project p's
// organisation in a bulk load. Each organisation has its own rowSlots,
// keyed by the participant ID: a project's mobilities come in runs, so
// its organisation's slots stay in the processor's cache between them.
// A hash slot is checked against the participant IDs kept by rowid in
// a.partKeys, not by reading the row back: a participant reported again
// (a second mobility, a correction) was about a fifth of a million
// queries, each forcing out the queued rows that held the row.
func (a *applier) claimParticipant(p *projectRow, id string) (int64, error) {
	slots := p.parts
	if slots == nil {
		if slots = a.parts[p.org]; slots == nil {
			slots = &rowSlots{}
			a.parts[strings.Clone(p.org)] = slots
		}
		p.parts = slots
	}
	rowid, err := slots.claim(id, &a.lastPartID, false, func(rowid int64) (bool, error) {
		// The slots are the organisation's: a row they give is one of its
		// participants', so the ID alone tells whether it is id's.
		stored, ok := a.partKeys.at(rowid)
		if !ok {
			return false, fmt.Errorf("participant row %d: %w", rowid, errNoRow)
		}
		return string(stored) == id, nil
	})
	if err == nil && rowid == a.lastPartID && a.partKeys.len() < rowid {
		a.partKeys.add(id)
	}
	return rowid, err
}

// keyArena holds the keys of rows numbered 1, 2, 3... in one byte slice,
// without a pointer per key for the collector to scan.
type keyArena struct {
	b    []byte
	ends []int // ends[i] is where the key of row i+1 ends in b
}

// len returns the number of keys held (the last row number).
func (k *keyArena) len() int64 { return int64(len(k.ends)) }

// add appends the key of the next row.
func (k *keyArena) add(key string) {
	k.b = append(k.b, key...)
	k.ends = append(k.ends, len(k.b))
}

// at returns the key of row n (1-based), valid until the next add.
func (k *keyArena) at(n int64) ([]byte, bool) {
	if n < 1 || n > int64(len(k.ends)) {
		return nil, false
	}
	start := 0
	if n > 1 {
		start = k.ends[n-2]
	}
	return k.b[start:k.ends[n-1]], true
}

package sqlite

import "strings"

// statKeyIDs packs a statMobKey into one 64-bit number, so that the
// statistics row of a mobility is found in a map with integer keys: no key
// to build, no long text to hash and compare, and no key text to fetch
// from elsewhere in memory on every lookup. Each dimension text (action,
// field, activity code, country) gets a small number the first time it is
// seen; the call year is stored as an offset from statYearBase. A key that
// does not fit (a year out of range, or more distinct texts than
// statTextIDs allows) is not packed, and the caller falls back to the
// key's text encoding (statMobKey.appendTo). The packing is stable: a text
// keeps its number, and once the numbers run out no text gets one, so a
// key is always packed the same way, or never.
type statKeyIDs struct {
	ids   map[string]uint64
	limit int // how many texts get a number
}

const (
	// statTextBits is the width of a text's number: the ledger knows tens
	// of activity codes and countries, far below the limit.
	statTextBits = 10
	// statTextIDs is how many texts get a number (0 is never given).
	statTextIDs = 1<<statTextBits - 1
	// statYearBase and statYearBits bound the call years a packed key
	// holds: 2000 to 2255.
	statYearBase = 2000
	statYearBits = 8
)

// statTextLimit is how many texts a new statKeyIDs numbers: statTextIDs,
// fewer in the tests of the fallback.
var statTextLimit = statTextIDs

func newStatKeyIDs() statKeyIDs { return statKeyIDs{ids: map[string]uint64{}, limit: statTextLimit} }

// id returns the number of text s, giving it one if there is room.
func (t *statKeyIDs) id(s string) (uint64, bool) {
	if id, ok := t.ids[s]; ok {
		return id, true
	}
	if len(t.ids) >= t.limit {
		return 0, false
	}
	id := uint64(len(t.ids) + 1)
	t.ids[strings.Clone(s)] = id
	return id, true
}

// pack returns k as one number: 8 bits of year, five texts of 10 bits and
// three flags (61 bits). ok is false if k does not fit.
func (t *statKeyIDs) pack(k *statMobKey) (key uint64, ok bool) {
	y := k.callYear - statYearBase
	if y < 0 || y >= 1<<statYearBits {
		return 0, false
	}
	key = uint64(y)
	for _, s := range [...]string{k.action, k.field, k.activity, k.sendingCountry, k.receivingCountry} {
		id, ok := t.id(s)
		if !ok {
			return 0, false
		}
		key = key<<statTextBits | id
	}
	for _, f := range [...]bool{k.green, k.fewerOpportunities, k.ukraine} {
		key <<= 1
		if f {
			key |= 1
		}
	}
	return key, true
}

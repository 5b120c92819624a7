package sqlite

import (
	"testing"
)

// TestStatKeyPacking: distinct keys of stat_mobilities pack to distinct
// numbers, the same key always to the same number, and keys
// that do not fit are refused rather than truncated.
func TestStatKeyPacking(t *testing.T) {
	ids := newStatKeyIDs()
	base := statMobKey{callYear: 2024, action: "KA122", field: "VET", activity: "LM-SHORT-VET", sendingCountry: "FI", receivingCountry: "DE"}
	variants := []statMobKey{base}
	add := func(f func(*statMobKey)) {
		k := base
		f(&k)
		variants = append(variants, k)
	}
	add(func(k *statMobKey) { k.callYear = 2021 })
	add(func(k *statMobKey) { k.action = "KA121" })
	add(func(k *statMobKey) { k.field = "SCH" })
	add(func(k *statMobKey) { k.activity = "SM-JOB-SHDW" })
	add(func(k *statMobKey) { k.sendingCountry = "DE"; k.receivingCountry = "FI" })
	add(func(k *statMobKey) { k.receivingCountry = "FI" })
	add(func(k *statMobKey) { k.green = true })
	add(func(k *statMobKey) { k.fewerOpportunities = true })
	add(func(k *statMobKey) { k.ukraine = true })
	add(func(k *statMobKey) { k.action, k.field = k.field, k.action })
	seen := map[uint64]statMobKey{}
	for _, k := range variants {
		p, ok := ids.pack(&k)
		if !ok {
			t.Fatalf("%+v does not pack", k)
		}
		if other, dup := seen[p]; dup {
			t.Fatalf("%+v and %+v pack to the same number %#x", k, other, p)
		}
		seen[p] = k
		if again, _ := ids.pack(&k); again != p {
			t.Fatalf("%+v packs to %#x, then to %#x", k, p, again)
		}
	}
	for _, y := range []int64{1999, statYearBase + 1<<statYearBits} {
		k := base
		k.callYear = y
		if _, ok := ids.pack(&k); ok {
			t.Errorf("call year %d packs: it does not fit", y)
		}
	}

	small := statKeyIDs{ids: map[string]uint64{}, limit: 5}
	if _, ok := small.pack(&base); !ok {
		t.Fatal("five texts fit in five numbers")
	}
	other := base
	other.activity = "SM-JOB-SHDW"
	for i := 0; i < 2; i++ {
		if _, ok := small.pack(&other); ok {
			t.Fatal("a sixth text got a number beyond the limit")
		}
	}
	if _, ok := small.pack(&base); !ok {
		t.Fatal("a key that packed once no longer packs")
	}
}

// TestRebuildWithUnpackedStatKeys: when the statistics keys run out of
// numbers, the rows are found by their text keys and the statistics
// still equal the live projection's.
func TestRebuildWithUnpackedStatKeys(t *testing.T) {
	defer func(n int) { statTextLimit = n }(statTextLimit)
	// Enough numbers for some keys, not for all: both maps are used.
	rebuildEqualsLive(t, 11, func() { statTextLimit = 8 })
}

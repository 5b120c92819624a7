package money

import "math"

// Bounds of a single amount. They are far below the int64 limit on
// purpose: a sum of a million amounts at the bound still fits exactly in
// an int64, and in the float64 of SQLite's TOTAL() (2^53).
const (
	// MaxProjectCents bounds an amount of a project (requested, awarded or
	// final grant, one payment): 50 000 000 EUR. The largest grants the
	// Programme Guide knows are centralised actions of at most 4 000 000 EUR
	// and KA121 grants of large consortia of a few million; a Finnish
	// national agency's yearly education budget is of the order of 100
	// million EUR. An amount above the bound is a typo or an attack.
	MaxProjectCents int64 = 5_000_000_000
	// MaxMobilityCents bounds any amount of one mobility (a real cost
	// claimed, a receipt, a computed grant line): 1 000 000 EUR, above any
	// one participant's year abroad with full-time assistance. The rates
	// table of each call year sets tighter, field-specific bounds as data
	// (rates.Limits); this one holds whatever the data says.
	MaxMobilityCents int64 = 100_000_000
	// MaxSumCents is the largest sum the read models report exactly:
	// 2^53 cents (about 90 billion EUR), the largest integer a float64
	// holds without rounding. A statistics sum beyond it is saturated and
	// flagged.
	MaxSumCents int64 = 1 << 53
)

// Add returns a+b and false if the sum overflows int64.
func Add(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// Sub returns a-b and false if the difference overflows int64.
func Sub(a, b int64) (int64, bool) {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		return 0, false
	}
	return d, true
}

// Mul returns a*b and false if the product overflows int64.
func Mul(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// Sum returns the sum of xs and false if any partial sum overflows.
func Sum(xs ...int64) (int64, bool) {
	var s int64
	for _, x := range xs {
		var ok bool
		if s, ok = Add(s, x); !ok {
			return 0, false
		}
	}
	return s, true
}

// Percent returns pct % of cents rounded half up to the cent, and false if
// the computation overflows.
func Percent(cents int64, pct int) (int64, bool) {
	p, ok := Mul(cents, int64(pct))
	if !ok {
		return 0, false
	}
	if p, ok = Add(p, 50); !ok {
		return 0, false
	}
	return p / 100, true
}

// SatAdd returns a+b, stopped at the int64 limits instead of wrapping.
func SatAdd(a, b int64) int64 {
	if s, ok := Add(a, b); ok {
		return s
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

// SatSub returns a-b, stopped at the int64 limits instead of wrapping.
func SatSub(a, b int64) int64 {
	if d, ok := Sub(a, b); ok {
		return d
	}
	if b < 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

// SatMul returns a*b, stopped at the int64 limits instead of wrapping.
func SatMul(a, b int64) int64 {
	if p, ok := Mul(a, b); ok {
		return p
	}
	if (a < 0) != (b < 0) {
		return math.MinInt64
	}
	return math.MaxInt64
}

// FromTotal turns a float sum of cents (SQLite's TOTAL()) into cents,
// saturated at ±MaxSumCents; saturated reports that the sum was beyond the
// bound (or not a number), so that it can be flagged.
func FromTotal(f float64) (cents int64, saturated bool) {
	switch {
	case math.IsNaN(f):
		return 0, true
	case f > float64(MaxSumCents):
		return MaxSumCents, true
	case f < -float64(MaxSumCents):
		return -MaxSumCents, true
	}
	return int64(math.Round(f)), false
}

// InRange reports whether 0 <= cents <= limit.
func InRange(cents, limit int64) bool { return cents >= 0 && cents <= limit }

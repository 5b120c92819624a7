package money

import (
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

func TestCheckedArithmeticRefusesOverflow(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  func() (int64, bool)
		want int64
		ok   bool
	}{
		{"add", func() (int64, bool) { return Add(2, 3) }, 5, true},
		{"add overflow", func() (int64, bool) { return Add(math.MaxInt64, 1) }, 0, false},
		{"add underflow", func() (int64, bool) { return Add(math.MinInt64, -1) }, 0, false},
		{"sub", func() (int64, bool) { return Sub(2, 3) }, -1, true},
		{"sub overflow", func() (int64, bool) { return Sub(math.MaxInt64, -1) }, 0, false},
		{"sub underflow", func() (int64, bool) { return Sub(math.MinInt64, 1) }, 0, false},
		{"mul", func() (int64, bool) { return Mul(-4, 5) }, -20, true},
		{"mul overflow (the reproduction: 1.2e17 cents x 80 %)", func() (int64, bool) { return Mul(120000000000000000, 80) }, 0, false},
		{"mul min by -1", func() (int64, bool) { return Mul(math.MinInt64, -1) }, 0, false},
		{"percent", func() (int64, bool) { return Percent(11700, 70) }, 8190, true},
		{"percent rounds half up", func() (int64, bool) { return Percent(5, 50) }, 3, true},
		{"percent overflow", func() (int64, bool) { return Percent(120000000000000000, 80) }, 0, false},
		{"sum", func() (int64, bool) { return Sum(1, 2, 3) }, 6, true},
		{"sum overflow", func() (int64, bool) { return Sum(math.MaxInt64, 1, -5) }, 0, false},
	} {
		got, ok := tc.got()
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: got %d, %v; want %d, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSaturatingArithmeticStopsAtTheLimits(t *testing.T) {
	if SatAdd(math.MaxInt64, 1) != math.MaxInt64 || SatAdd(math.MinInt64, -1) != math.MinInt64 || SatAdd(1, 2) != 3 {
		t.Error("SatAdd wraps")
	}
	if SatSub(math.MinInt64, 1) != math.MinInt64 || SatSub(math.MaxInt64, -1) != math.MaxInt64 || SatSub(1, 2) != -1 {
		t.Error("SatSub wraps")
	}
	if SatMul(math.MaxInt64, 2) != math.MaxInt64 || SatMul(math.MaxInt64, -2) != math.MinInt64 || SatMul(3, -2) != -6 {
		t.Error("SatMul wraps")
	}
	for f, want := range map[float64]int64{1e300: MaxSumCents, -1e300: -MaxSumCents, 12345: 12345, math.NaN(): 0} {
		got, sat := FromTotal(f)
		if got != want || sat != (f != 12345) {
			t.Errorf("FromTotal(%g) = %d, %v", f, got, sat)
		}
	}
}

// TestCheckedArithmeticAgreesWithBigIntegers: whatever the operands, a
// checked result is either exact (as math/big computes it) or refused,
// never wrapped.
func TestCheckedArithmeticAgreesWithBigIntegers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := rapid.OneOf(rapid.Int64(), rapid.Int64Range(-1e6, 1e6)).Draw(t, "a")
		b := rapid.OneOf(rapid.Int64(), rapid.Int64Range(-1e6, 1e6)).Draw(t, "b")
		for _, op := range []struct {
			name string
			f    func(a, b int64) (int64, bool)
			big  func(z, x, y *big.Int) *big.Int
		}{
			{"Add", Add, (*big.Int).Add},
			{"Sub", Sub, (*big.Int).Sub},
			{"Mul", Mul, (*big.Int).Mul},
		} {
			want := op.big(new(big.Int), big.NewInt(a), big.NewInt(b))
			got, ok := op.f(a, b)
			if ok != want.IsInt64() || (ok && got != want.Int64()) {
				t.Fatalf("%s(%d, %d) = %d, %v; exact result %s", op.name, a, b, got, ok, want)
			}
		}
		want := new(big.Int).Add(big.NewInt(a), big.NewInt(b))
		if got := SatAdd(a, b); want.IsInt64() && got != want.Int64() ||
			!want.IsInt64() && got != math.MaxInt64 && got != math.MinInt64 {
			t.Fatalf("SatAdd(%d, %d) = %d, exact %s", a, b, got, want)
		}
	})
}

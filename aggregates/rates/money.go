package rates

import (
	"github.com/erasmus-ledger/grants/aggregates/money"
)

// percentOf returns pct % of cents, rounded half up to the cent. It
// saturates instead of wrapping; Calculate refuses a total out of bounds.
func percentOf(cents int64, pct int) int64 {
	if p, ok := money.Percent(cents, pct); ok {
		return p
	}
	return money.SatMul(cents, int64(pct)) / 100
}

// times returns n x cents, saturated instead of wrapping.
func times(n int, cents int64) int64 { return money.SatMul(int64(n), cents) }

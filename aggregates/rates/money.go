package rates

import (
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates/money"
)

// eur formats cents as euros for explanations: "117 EUR", "81.90 EUR".
func eur(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	if cents%100 == 0 {
		return fmt.Sprintf("%s%d EUR", sign, cents/100)
	}
	return fmt.Sprintf("%s%d.%02d EUR", sign, cents/100, cents%100)
}

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

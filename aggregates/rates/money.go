package rates

import "fmt"

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

// percentOf returns pct % of cents, rounded half up to the cent.
func percentOf(cents int64, pct int) int64 {
	return (cents*int64(pct) + 50) / 100
}

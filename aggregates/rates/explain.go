package rates

import (
	"fmt"
	"math"
	"strconv"
)

// text is an explanation of a breakdown line being written: appended in
// place (usually into a buffer on the caller's stack) and made a string
// once, instead of a fmt.Sprintf per part (issue 16: the calculator's
// explanations took 70 allocations a mobility).
type text []byte

// s appends v.
func (x text) s(v string) text { return append(x, v...) }

// d appends n in decimal, as %d.
func (x text) d(n int64) text { return strconv.AppendInt(x, n, 10) }

// eur appends cents as euros: "117 EUR", "81.90 EUR" (see eur).
func (x text) eur(cents int64) text {
	if cents == math.MinInt64 {
		// Its negation overflows; written as the fmt formula wrote it.
		return fmt.Appendf(x, "-%d.%02d EUR", cents/100, cents%100)
	}
	if cents < 0 {
		x, cents = append(x, '-'), -cents
	}
	x = strconv.AppendInt(x, cents/100, 10)
	if c := cents % 100; c != 0 {
		x = append(x, '.', byte('0'+c/10), byte('0'+c%10))
	}
	return append(x, " EUR"...)
}

// plural appends "1 day" or "n days".
func (x text) plural(n int, unit string) text {
	x = append(strconv.AppendInt(x, int64(n), 10), ' ')
	x = append(x, unit...)
	if n != 1 {
		x = append(x, 's')
	}
	return x
}

// band appends a travel band's name: "500-1999 km band", "8000 km and
// more band".
func (x text) band(bd Band) text {
	x = strconv.AppendInt(x, int64(bd.MinKm), 10)
	if bd.MaxKm == 0 {
		return append(x, " km and more band"...)
	}
	x = append(x, '-')
	return append(strconv.AppendInt(x, int64(bd.MaxKm), 10), " km band"...)
}

// ordinal appends n as "100th", "101st", "102nd", "103rd".
func (x text) ordinal(n int) text {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return append(strconv.AppendInt(x, int64(n), 10), suffix...)
}

// eur formats cents as euros for explanations: "117 EUR", "81.90 EUR".
func eur(cents int64) string { return string(text(nil).eur(cents)) }

// plural writes "1 day" or "n days".
func plural(n int, unit string) string { return string(text(nil).plural(n, unit)) }

// bandName names a travel band.
func bandName(bd Band) string { return string(text(nil).band(bd)) }

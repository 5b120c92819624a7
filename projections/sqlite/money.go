package sqlite

import "strconv"

// eur renders cents as "1 234.56 EUR" for the audit log's summaries.
func eur(cents int64) string { return string(appendEUR(nil, cents)) }

// appendEUR appends eur(cents) to b.
func appendEUR(b []byte, cents int64) []byte {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	var digits [24]byte
	whole := strconv.AppendInt(digits[:0], cents/100, 10)
	if neg {
		b = append(b, '-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, ' ')
		}
		b = append(b, c)
	}
	frac := cents % 100
	return append(b, '.', byte('0'+frac/10), byte('0'+frac%10), ' ', 'E', 'U', 'R')
}

package sqlite

import "strconv"

// eur renders cents as "1 234.56 EUR" for the audit log's summaries.
func eur(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b []byte
	if neg {
		b = append(b, '-')
	}
	for i, c := range []byte(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, ' ')
		}
		b = append(b, c)
	}
	frac := cents % 100
	b = append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
	return string(b) + " EUR"
}

package catalog

import (
	"fmt"
	"time"
)

// Days returns the inclusive number of calendar days from start to end,
// comparing the calendar dates of each in its own location (so a mobility
// from 1 to 3 March lasts 3 days). It is 0 or negative when end is before
// start.
func Days(start, end time.Time) int {
	s := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	e := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	return int(e.Sub(s)/(24*time.Hour)) + 1
}

func plural(n int, unit string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

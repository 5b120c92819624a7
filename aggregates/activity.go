package aggregates

import "github.com/erasmus-ledger/grants/aggregates/catalog"

// activityCountsTowardMax reports whether mobilities of the activity count
// toward KA122-MAX-MOB (preparatory visits do not).
func activityCountsTowardMax(code string) bool {
	a, ok := catalog.ActivityByCode(code)
	return ok && a.CountsTowardMax
}

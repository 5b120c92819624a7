package rates

// Table is the rates table in force for one call year.
type Table struct {
	CallYear int `json:"call_year"`
}

// LumpSums returns the lump-sum amounts allowed for action in cents.
func (t *Table) LumpSums(action string) []int64 { return nil }

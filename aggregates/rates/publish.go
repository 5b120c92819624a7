package rates

// ParseTable validates and returns one rates table from JSON, as the
// national office publishes it (PublishRatesTable): the same strict checks
// as Parse, for a single table object.
func ParseTable(data []byte) (*Table, error) { return parseTable(data) }

// NewBook returns a book of the given tables; a later table of a call year
// replaces an earlier one. The tables must be valid (ParseTable).
func NewBook(tables ...*Table) *Book {
	b := &Book{tables: make(map[int]*Table, len(tables))}
	for _, t := range tables {
		if t != nil {
			b.tables[t.CallYear] = t
		}
	}
	return b
}

package rates

// Book is the set of rates tables, one per call year.
type Book struct {
	tables map[int]*Table
}

// Default returns the book of the embedded rates data.
func Default() (*Book, error) { return &Book{}, nil }

// LoadFile reads and validates a rates book from a JSON file.
func LoadFile(path string) (*Book, error) { return &Book{}, nil }

// Parse validates and returns a rates book from JSON data.
func Parse(data []byte) (*Book, error) { return &Book{}, nil }

// Years returns the call years of the book, ascending.
func (b *Book) Years() []int { return nil }

// Year returns the table of callYear.
func (b *Book) Year(callYear int) (*Table, error) { return &Table{}, nil }

package rates

import (
	"embed"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/erasmus-ledger/grants/events/apperr"
)

// Book is the set of rates tables, one per call year. A Book and its
// tables are read-only once built.
type Book struct {
	tables map[int]*Table
}

//go:embed data/*.json
var embedded embed.FS

var defaultBook = sync.OnceValues(loadEmbedded)

// Default returns the book of the rates data embedded in the binary (one
// file per call year under data/). The book is shared: do not modify it.
func Default() (*Book, error) { return defaultBook() }

func loadEmbedded() (*Book, error) {
	entries, err := embedded.ReadDir("data")
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "embedded rates data unreadable")
	}
	b := &Book{tables: map[int]*Table{}}
	for _, e := range entries {
		name := path.Join("data", e.Name())
		data, err := embedded.ReadFile(name)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "embedded rates file %s unreadable", name)
		}
		t, err := parseTable(data)
		if err != nil {
			return nil, apperr.Wrap(apperr.Internal, err, "embedded rates file %s: %v", name, err)
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); strconv.Itoa(t.CallYear) != want {
			return nil, apperr.New(apperr.Internal, "embedded rates file %s holds call year %d", name, t.CallYear)
		}
		b.tables[t.CallYear] = t
	}
	return b, nil
}

// LoadFile reads and validates a rates book from a JSON file, so the
// national office can correct rates without a release. The file holds
// either one table (an object with "call_year") or a book
// ({"tables": [...]}); see Parse.
func LoadFile(name string) (*Book, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, err, "cannot read rates file %s: %v", name, err)
	}
	b, err := Parse(data)
	if err != nil {
		e := apperr.As(err)
		c := *e
		c.Message = fmt.Sprintf("rates file %s: %s", name, e.Message)
		return nil, &c
	}
	return b, nil
}

// Parse validates and returns a rates book from JSON: either one table
// object or {"tables": [table, ...]}. Parsing is strict: unknown fields,
// wrong types, gaps between distance bands, missing country groups or
// rates and duplicate call years are refused with an *apperr.Error whose
// Field names the value at fault (e.g. "tables[1].travel.bands[2].min_km").
func Parse(data []byte) (*Book, error) {
	top, err := objectKeys(data)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(top, "tables") {
		t, err := parseTable(data)
		if err != nil {
			return nil, err
		}
		return &Book{tables: map[int]*Table{t.CallYear: t}}, nil
	}
	var doc struct {
		Tables []*Table `json:"tables"`
	}
	if err := decodeStrict(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Tables) == 0 {
		return nil, dataErr("tables", "a rates book needs at least one table")
	}
	b := &Book{tables: map[int]*Table{}}
	for i, t := range doc.Tables {
		field := fmt.Sprintf("tables[%d]", i)
		if t == nil {
			return nil, dataErr(field, "a table must be an object, not null")
		}
		if err := validate(t); err != nil {
			return nil, apperr.As(err).WithField(field)
		}
		if _, dup := b.tables[t.CallYear]; dup {
			return nil, dataErr(field+".call_year", "call year %d appears twice", t.CallYear)
		}
		b.tables[t.CallYear] = t
	}
	return b, nil
}

func parseTable(data []byte) (*Table, error) {
	t := &Table{}
	if err := decodeStrict(data, t); err != nil {
		return nil, err
	}
	if err := validate(t); err != nil {
		return nil, err
	}
	return t, nil
}

// Years returns the call years of the book, ascending.
func (b *Book) Years() []int {
	return slices.Sorted(maps.Keys(b.tables))
}

// Year returns the rates table of callYear, or a BUD-RATES-DATA rule
// violation when the book has no rates for that year.
func (b *Book) Year(callYear int) (*Table, error) {
	t, ok := b.tables[callYear]
	if !ok {
		years := b.Years()
		have := "none"
		if len(years) > 0 {
			have = fmt.Sprintf("%d to %d", years[0], years[len(years)-1])
		}
		return nil, apperr.RuleField("BUD-RATES-DATA", "call_year",
			"there are no rates for call year %d; the rates table covers call years %s", callYear, have)
	}
	return t, nil
}

// Tables returns the book's tables ordered by call year.
func (b *Book) Tables() []*Table {
	out := make([]*Table, 0, len(b.tables))
	for _, y := range b.Years() {
		out = append(out, b.tables[y])
	}
	return out
}

// Override returns a new book holding b's tables with those of o replacing
// (or adding) the call years o has. Neither book changes.
func (b *Book) Override(o *Book) *Book {
	n := &Book{tables: maps.Clone(b.tables)}
	if n.tables == nil {
		n.tables = map[int]*Table{}
	}
	maps.Copy(n.tables, o.tables)
	return n
}

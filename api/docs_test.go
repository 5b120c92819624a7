package api

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryCSVColumn keeps docs/api.md in step with the upload's
// columns: every column is documented, with whether it is required.
func TestDocsListEveryCSVColumn(t *testing.T) {
	b, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, c := range csvColumns {
		req := "no"
		if c.req {
			req = "yes"
		}
		row := "| `" + c.name + "` | " + req + " |"
		if !strings.Contains(doc, row) {
			t.Errorf("docs/api.md lacks the row starting %q", row)
		}
	}
}

// TestPrintcsvColumns prints the table of docs/api.md (go test -run
// TestPrintcsvColumns -v ./api).
func TestPrintcsvColumns(t *testing.T) {
	if !testing.Verbose() {
		t.Skip("prints the docs table with -v")
	}
	for _, c := range csvColumns {
		req := "no"
		if c.req {
			req = "yes"
		}
		t.Logf("| `%s` | %s | %s | %s |", c.name, req, c.kind, c.doc)
	}
}

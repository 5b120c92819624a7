package api

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestCSVExportIsSafeWhateverTheSeparator writes random cells full of
// separators and formula triggers through safeCSV, then splits the file
// the way a spreadsheet of any locale might (on commas, on semicolons, on
// tabs; honouring quotes or not): no piece starts a formula unless it is
// a plain number. It also reads the file back as CSV: the text is kept,
// apostrophes aside.
func TestCSVExportIsSafeWhateverTheSeparator(t *testing.T) {
	alphabet := []rune{'a', 'b', '1', '.', ' ', ',', ';', '\t', '\r', '\n', '"', '\'', '=', '+', '-', '@', '|', '\uff1d'}
	rapid.Check(t, func(t *rapid.T) {
		cells := append([]string{"id"}, rapid.SliceOfN(rapid.StringOf(rapid.SampledFrom(alphabet)), 1, 4).Draw(t, "cells")...)
		var buf bytes.Buffer
		w := &safeCSV{csv.NewWriter(&buf)}
		if err := w.Write(cells); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		out := buf.String()
		for _, sep := range []string{",", ";", "\t"} {
			for _, line := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
				for _, piece := range strings.Split(line, sep) {
					p := strings.TrimLeft(strings.TrimPrefix(piece, `"`), " ")
					if p == "" || isNumber(strings.TrimSuffix(p, `"`)) {
						continue
					}
					if r := []rune(p)[0]; isTrigger(r) {
						t.Fatalf("cells %q written as %q: splitting on %q gives the formula %q", cells, out, sep, piece)
					}
				}
			}
		}
		back, err := csv.NewReader(strings.NewReader(out)).Read()
		if err != nil || len(back) != len(cells) {
			t.Fatalf("cells %q written as %q read back as %q (%v)", cells, out, back, err)
		}
		for i := range cells {
			want := strings.ReplaceAll(cells[i], "\r\n", "\n")
			if got := strings.ReplaceAll(back[i], "'", ""); got != strings.ReplaceAll(want, "'", "") && !strings.Contains(cells[i], "\r") {
				t.Fatalf("cell %q read back as %q", cells[i], back[i])
			}
		}
	})
}

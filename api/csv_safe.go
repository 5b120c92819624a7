package api

import (
	"encoding/csv"
	"regexp"
	"strings"
)

// safeCSV writes CSV that a spreadsheet opens as data, whatever separator
// it splits on: a comma (English locales), a semicolon (the Finnish
// default), a tab (pasted or sniffed text), or line breaks.
//
// The rule: a spreadsheet starts a cell at the beginning of a CSV field
// and, when it splits on another separator than the writer's, after any
// comma, semicolon, tab or line break inside one. Wherever such a cell
// could start (spaces skipped) with a formula trigger (=, +, -, @, a tab,
// a carriage return, or their full-width forms), an apostrophe is put
// before the trigger, so that every cell any split can produce is text
// ("CSV injection"). A field that is a number as a whole (-5, 12.5, the
// decimal-comma 12,5) is written as it is, so amounts stay numbers.
type safeCSV struct {
	*csv.Writer
}

// Write writes one record with every cell made safe.
func (w *safeCSV) Write(record []string) error {
	out := make([]string, len(record))
	for i, cell := range record {
		out[i] = safeCell(cell)
	}
	return w.Writer.Write(out)
}

// safeCell neutralises every formula a spreadsheet could find in cell,
// at its start or after any separator or line break inside it.
func safeCell(cell string) string {
	if cell == "" || isNumber(cell) || !hasTrigger(cell) {
		return cell
	}
	var b strings.Builder
	b.Grow(len(cell) + 4)
	start := true
	for _, r := range cell {
		if start && r != ' ' {
			if isTrigger(r) {
				b.WriteByte('\'')
			}
			start = false
		}
		b.WriteRune(r)
		if isSeparator(r) {
			start = true
		}
	}
	return b.String()
}

// isTrigger reports a character that makes a spreadsheet cell a formula
// (or, for tab and CR, that Excel strips before one).
func isTrigger(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '\uff1d', '\uff0b', '\uff0d', '\uff20':
		return true
	}
	return false
}

// isSeparator reports a character after which some spreadsheet starts a
// new cell or row.
func isSeparator(r rune) bool {
	return r == ',' || r == ';' || r == '\t' || r == '\r' || r == '\n'
}

// hasTrigger is a fast check that cell holds any trigger at all.
func hasTrigger(cell string) bool {
	return strings.ContainsFunc(cell, isTrigger)
}

// numberPattern is a plain decimal number: -5, 12.5, 1e3, or 12,5 with
// a decimal comma; nothing a spreadsheet could read as a formula.
var numberPattern = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?([eE][+-]?[0-9]+)?$`)

// isNumber reports a cell that is one plain number.
func isNumber(cell string) bool { return numberPattern.MatchString(cell) }

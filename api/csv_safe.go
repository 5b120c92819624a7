package api

import (
	"encoding/csv"
	"strconv"
)

// safeCSV writes CSV that a spreadsheet opens as data: a text cell that
// begins with =, +, -, @, a tab or a carriage return (a formula to Excel
// and LibreOffice, "CSV injection") gets a leading apostrophe. Numbers,
// negative ones included, are written as they are.
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

// safeCell neutralises a cell that a spreadsheet would run as a formula.
func safeCell(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(cell, 64); err == nil {
			return cell
		}
		return "'" + cell
	}
	return cell
}
